// Event-sourced command execution for the image aggregate: read the stream, decide, append.
// The aggregate's decisions never depend on the order of the stream's events (see
// libs/domain image.aggregate.ts): what a decision checks stays true once true, and what may
// be recorded only once has a deterministic event id the store deduplicates. So appends carry
// no expected revision: any number of concurrent commands on one image (16 identical uploads,
// a classification while uploads arrive) all succeed without a retry loop. The one race left
// is two writers recording the same deterministic fact with different metadata (time,
// correlation id): the store refuses the second with EventIdConflictError, and a fresh read
// shows the fact recorded, which is what was asked.
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ColourVariant } from '@vegvision/colour';
import { decodeEvent, encodeEvent, type DomainEvent } from '@vegvision/contracts';
import {
  decideClassification,
  decideColours,
  decideCorrection,
  decideDeletion,
  decideUpload,
  fold,
  imageStreamId,
  type CommandContext,
  type CorrectLabel,
  type DeleteImage,
  type ImageState,
  type RecordClassification,
  type RecordColours,
  type UploadImage,
} from '@vegvision/domain';
import { EventIdConflictError, type EventStore } from '@vegvision/event-store';
import { EVENT_STORE } from './tokens';

export interface CommandResult {
  imageId: string;
  /** Events this command appended (empty when it was already recorded). */
  events: DomainEvent[];
  /** Stream revision of the first appended event; null when nothing was appended. */
  firstRevision: number | null;
}

@Injectable()
export class ImageCommands {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(imageId: string): Promise<ImageState> {
    const stored = await this.store.readStream(imageStreamId(imageId));
    return fold(
      imageId,
      stored.map((e) => decodeEvent(e)),
    );
  }

  async execute(imageId: string, decide: (state: ImageState) => DomainEvent[]): Promise<CommandResult> {
    const events = decide(await this.load(imageId));
    if (events.length === 0) return { imageId, events, firstRevision: null };
    try {
      const result = await this.store.append(
        imageStreamId(imageId),
        events.map((e) => encodeEvent(e)),
        { expectedRevision: 'any' },
      );
      if (!result.written) return { imageId, events: [], firstRevision: null };
      return { imageId, events, firstRevision: result.nextExpectedRevision - events.length + 1 };
    } catch (error) {
      if (error instanceof EventIdConflictError && decide(await this.load(imageId)).length === 0) {
        return { imageId, events: [], firstRevision: null };
      }
      throw error;
    }
  }
}

export class UploadImageCommand {
  constructor(
    readonly imageId: string,
    readonly upload: UploadImage,
    readonly context: CommandContext,
  ) {}
}

export class RecordClassificationCommand {
  constructor(
    readonly imageId: string,
    readonly classification: RecordClassification,
    readonly context: CommandContext,
  ) {}
}

/**
 * The colour algorithms every upload gets from the colour worker (and a relabel repairs):
 * the whole photo and the subject (the vegetable's pixels). The seed-compatible legacy variant
 * is recorded only on request (`recolour --algorithm legacy-uint8-wraparound-v1`).
 */
export const LIVE_COLOUR_VARIANTS: readonly ColourVariant[] = Object.freeze(['correct', 'subject'] as ColourVariant[]);

export class RecordColoursCommand {
  constructor(
    readonly imageId: string,
    readonly colours: RecordColours,
    readonly context: CommandContext,
  ) {}

}

@CommandHandler(UploadImageCommand)
export class UploadImageHandler implements ICommandHandler<UploadImageCommand, CommandResult> {
  constructor(private readonly commands: ImageCommands) {}
  execute(c: UploadImageCommand): Promise<CommandResult> {
    return this.commands.execute(c.imageId, (s) => decideUpload(s, c.upload, c.context));
  }
}

@CommandHandler(RecordClassificationCommand)
export class RecordClassificationHandler implements ICommandHandler<RecordClassificationCommand, CommandResult> {
  constructor(private readonly commands: ImageCommands) {}
  execute(c: RecordClassificationCommand): Promise<CommandResult> {
    return this.commands.execute(c.imageId, (s) => decideClassification(s, c.classification, c.context));
  }
}

@CommandHandler(RecordColoursCommand)
export class RecordColoursHandler implements ICommandHandler<RecordColoursCommand, CommandResult> {
  constructor(private readonly commands: ImageCommands) {}
  execute(c: RecordColoursCommand): Promise<CommandResult> {
    return this.commands.execute(c.imageId, (s) => decideColours(s, c.colours, c.context));
  }
}

export class CorrectLabelCommand {
  constructor(
    readonly imageId: string,
    readonly correction: CorrectLabel,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CorrectLabelCommand)
export class CorrectLabelHandler implements ICommandHandler<CorrectLabelCommand, CommandResult> {
  constructor(private readonly commands: ImageCommands) {}
  execute(c: CorrectLabelCommand): Promise<CommandResult> {
    return this.commands.execute(c.imageId, (s) => decideCorrection(s, c.correction, c.context));
  }
}

/** Records ImageDeleted only; removing the original is ImageDeletionService's (libs/application). */
export class DeleteImageCommand {
  constructor(
    readonly imageId: string,
    readonly deletion: DeleteImage,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(DeleteImageCommand)
export class DeleteImageHandler implements ICommandHandler<DeleteImageCommand, CommandResult> {
  constructor(private readonly commands: ImageCommands) {}
  execute(c: DeleteImageCommand): Promise<CommandResult> {
    return this.commands.execute(c.imageId, (s) => decideDeletion(s, c.deletion, c.context));
  }
}

export const COMMAND_HANDLERS = [
  UploadImageHandler,
  RecordClassificationHandler,
  RecordColoursHandler,
  CorrectLabelHandler,
  DeleteImageHandler,
];
