// "Label one image", written once: the classifier and colour roles and relabel/recolour all
// come here, so the skip-if-done check, the analysis (one decode in the labelling pool for all
// that is missing) and the deleted-meanwhile handling agree.
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ALGORITHM_VERSIONS, type ColourVariant } from '@vegvision/colour';
import type { VerifiedModel } from '@vegvision/classifier';
import { ImageNotFoundError, type CommandContext } from '@vegvision/domain';
import { ObjectNotFoundError } from '@vegvision/storage';
import type { Analysis } from './analysis';
import { ClassifierProvider } from './classifier.provider';
import { ImageCommands, RecordClassificationCommand, RecordColoursCommand, type CommandResult } from './image-commands';
import { Originals, type AnalysisNeeds, type LabellingRole } from './originals';

/** What labelling one image did: recorded, skipped (already recorded), or the image is gone. */
export type LabelOutcome = 'recorded' | 'skipped' | 'deleted';

export interface ColourOutcome {
  outcome: LabelOutcome;
  /** Algorithm versions recorded now. */
  recorded: string[];
}

/** What to record for one image, where it lacks it. */
export interface LabelWanted {
  /** The label by this model. */
  classifier?: VerifiedModel;
  /** The colours by these variants. */
  variants?: readonly ColourVariant[];
  /** A live upload's image: analysed ahead of the backlog (an import's, a relabel's). */
  urgent?: boolean;
}

export interface LabelOneOutcome {
  label: LabelOutcome;
  colours: ColourOutcome;
}

const DELETED: LabelOneOutcome = { label: 'deleted', colours: { outcome: 'deleted', recorded: [] } };

@Injectable()
export class LabellingService {
  constructor(
    private readonly originals: Originals,
    private readonly classifiers: ClassifierProvider,
    private readonly commands: ImageCommands,
    private readonly commandBus: CommandBus,
  ) {}

  /** Records the label of `model` (the active one by default) unless recorded. */
  async classifyOne(
    imageId: string,
    objectKey: string,
    model: VerifiedModel | undefined,
    ctx: CommandContext,
    role?: LabellingRole,
    urgent = false,
  ): Promise<LabelOutcome> {
    const classifier = model ?? (await this.classifiers.get());
    return (await this.labelOne(imageId, objectKey, { classifier, urgent }, ctx, role)).label;
  }

  /** Records the colours by each of `variants` the image has none by yet. */
  async colourOne(
    imageId: string,
    objectKey: string,
    variants: readonly ColourVariant[],
    ctx: CommandContext,
    role?: LabellingRole,
    urgent = false,
  ): Promise<ColourOutcome> {
    return (await this.labelOne(imageId, objectKey, { variants, urgent }, ctx, role)).colours;
  }

  /**
   * Records what the image lacks of `wanted`, from one analysis of its original: the colours
   * first, then the label. What is not wanted, or recorded already, reads 'skipped'.
   */
  async labelOne(imageId: string, objectKey: string, wanted: LabelWanted, ctx: CommandContext, role?: LabellingRole): Promise<LabelOneOutcome> {
    const state = await this.commands.load(imageId);
    if (!state.exists) return DELETED;
    const classifier = wanted.classifier && !state.classifiedBy.has(wanted.classifier.version) ? wanted.classifier : undefined;
    const missing = (wanted.variants ?? []).filter((v) => !state.colouredBy.has(ALGORITHM_VERSIONS[v]));
    if (!classifier && missing.length === 0) return { label: 'skipped', colours: { outcome: 'skipped', recorded: [] } };
    const analysis = await this.analysis(imageId, objectKey, { classifier, colours: missing, urgent: wanted.urgent }, role);
    if (!analysis) return DELETED;
    const recorded: string[] = [];
    for (const variant of missing) {
      const c = analysis.colours[variant];
      if (!c) throw new Error(`the analysis lacks the colours by ${variant}`);
      const result = await this.record(
        new RecordColoursCommand(
          imageId,
          { algorithmVersion: c.algorithmVersion, rgbHex: c.rgb.hex, rybHex: c.ryb.hex, rgbShares: c.rgbShares, rybShares: c.rybShares },
          ctx,
        ),
      );
      if (result === null) return { label: 'deleted', colours: { outcome: 'deleted', recorded } };
      if (result.events.length > 0) recorded.push(c.algorithmVersion);
    }
    const colours: ColourOutcome = { outcome: recorded.length > 0 ? 'recorded' : 'skipped', recorded };
    if (!classifier) return { label: 'skipped', colours };
    const c = analysis.classification;
    if (!c) throw new Error(`the analysis lacks the label by ${classifier.version}`);
    const result = await this.record(
      new RecordClassificationCommand(imageId, { modelVersion: c.modelVersion, kind: c.kind, confidence: c.confidence, top: c.top }, ctx),
    );
    return { label: result === null ? 'deleted' : result.events.length > 0 ? 'recorded' : 'skipped', colours };
  }

  /** The analysis, or null when the original is gone because the image was deleted meanwhile. */
  private async analysis(imageId: string, objectKey: string, needs: AnalysisNeeds, role?: LabellingRole): Promise<Analysis | null> {
    try {
      return await this.originals.analysis(objectKey, needs, role);
    } catch (error) {
      if (error instanceof ObjectNotFoundError && !(await this.commands.load(imageId)).exists) return null;
      throw error;
    }
  }

  /**
   * Executes a label command on an image found alive before; a deletion recorded meanwhile
   * (ImageNotFoundError) ends the work without a failure: null, nothing recorded.
   */
  private async record(command: RecordClassificationCommand | RecordColoursCommand): Promise<CommandResult | null> {
    try {
      return (await this.commandBus.execute(command)) as CommandResult;
    } catch (error) {
      if (error instanceof ImageNotFoundError) return null;
      throw error;
    }
  }
}
