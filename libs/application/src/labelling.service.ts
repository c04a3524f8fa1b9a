// "Label one image", written once: the classifier and colour roles and relabel/recolour all
// come here, so the skip-if-done check, the decode and the deleted-meanwhile handling agree.
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ALGORITHM_VERSIONS, detectColours, type ColourVariant } from '@vegvision/colour';
import type { VegetableClassifier } from '@vegvision/classifier';
import { ImageNotFoundError, type CommandContext } from '@vegvision/domain';
import { ObjectNotFoundError } from '@vegvision/storage';
import { ClassifierProvider } from './classifier.provider';
import { ImageCommands, RecordClassificationCommand, RecordColoursCommand, type CommandResult } from './image-commands';
import { Originals, type LabellingRole } from './originals';

/** What labelling one image did: recorded, skipped (already recorded), or the image is gone. */
export type LabelOutcome = 'recorded' | 'skipped' | 'deleted';

export interface ColourOutcome {
  outcome: LabelOutcome;
  /** Algorithm versions recorded now. */
  recorded: string[];
}

/** The decoded original of one image, or null when the image was deleted meanwhile. */
export type PixelsLoader = () => Promise<Awaited<ReturnType<Originals['pixels']>> | null>;

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
    model: VegetableClassifier | undefined,
    ctx: CommandContext,
    role?: LabellingRole,
    pixelsOf: PixelsLoader = this.loader(imageId, objectKey, role),
  ): Promise<LabelOutcome> {
    const classifier = model ?? (await this.classifiers.get());
    const state = await this.commands.load(imageId);
    if (!state.exists) return 'deleted';
    if (state.classifiedBy.has(classifier.version)) return 'skipped';
    const pixels = await pixelsOf();
    if (!pixels) return 'deleted';
    const c = await classifier.classify(pixels);
    const result = await this.record(
      new RecordClassificationCommand(imageId, { modelVersion: c.modelVersion, kind: c.kind, confidence: c.confidence, top: c.top }, ctx),
    );
    return result === null ? 'deleted' : result.events.length > 0 ? 'recorded' : 'skipped';
  }

  /** Records the colours by each of `variants` the image has none by yet. */
  async colourOne(
    imageId: string,
    objectKey: string,
    variants: readonly ColourVariant[],
    ctx: CommandContext,
    role?: LabellingRole,
    pixelsOf: PixelsLoader = this.loader(imageId, objectKey, role),
  ): Promise<ColourOutcome> {
    const state = await this.commands.load(imageId);
    if (!state.exists) return { outcome: 'deleted', recorded: [] };
    const missing = variants.filter((v) => !state.colouredBy.has(ALGORITHM_VERSIONS[v]));
    if (missing.length === 0) return { outcome: 'skipped', recorded: [] };
    const pixels = await pixelsOf();
    if (!pixels) return { outcome: 'deleted', recorded: [] };
    const recorded: string[] = [];
    for (const variant of missing) {
      const c = detectColours(pixels, { variant });
      const result = await this.record(
        new RecordColoursCommand(
          imageId,
          { algorithmVersion: c.algorithmVersion, rgbHex: c.rgb.hex, rybHex: c.ryb.hex, rgbShares: c.rgbShares, rybShares: c.rybShares },
          ctx,
        ),
      );
      if (result === null) return { outcome: 'deleted', recorded };
      if (result.events.length > 0) recorded.push(c.algorithmVersion);
    }
    return { outcome: recorded.length > 0 ? 'recorded' : 'skipped', recorded };
  }

  /**
   * Decodes the image's original at most once, on first call, however many labelling steps ask
   * (relabel passes one loader to both colourOne and classifyOne).
   */
  loader(imageId: string, objectKey: string, role?: LabellingRole): PixelsLoader {
    let decoding: ReturnType<PixelsLoader> | undefined;
    return () => (decoding ??= this.pixels(imageId, objectKey, role));
  }

  /** The pixels, or null when the original is gone because the image was deleted meanwhile. */
  private async pixels(imageId: string, objectKey: string, role?: LabellingRole) {
    try {
      return await this.originals.pixels(objectKey, role);
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
