// Event-sourced command execution for the image aggregate: read the stream, decide, append
// with the stream's revision as expected revision; on a concurrent write, read again and
// decide again (the decision may now be "nothing to do").
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { detectColours, type RgbPixels } from '@vegvision/colour';
import { decodeEvent, encodeEvent, type DomainEvent } from '@vegvision/contracts';
import {
  decideClassification,
  decideColours,
  decideUpload,
  fold,
  imageStreamId,
  type CommandContext,
  type ImageState,
  type RecordClassification,
  type RecordColours,
  type UploadImage,
} from '@vegvision/domain';
import { WrongExpectedRevisionError, type EventStore } from '@vegvision/event-store';
import { EVENT_STORE } from './tokens';

export interface CommandResult {
  imageId: string;
  /** Events this command appended (empty when it was already recorded). */
  events: DomainEvent[];
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
    const streamId = imageStreamId(imageId);
    for (let attempt = 1; ; attempt++) {
      const state = await this.load(imageId);
      const events = decide(state);
      if (events.length === 0) return { imageId, events };
      try {
        const result = await this.store.append(
          streamId,
          events.map((e) => encodeEvent(e)),
          { expectedRevision: state.revision < 0 ? 'no_stream' : state.revision },
        );
        return { imageId, events: result.written ? events : [] };
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && attempt < 10) continue;
        throw error;
      }
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

export class RecordColoursCommand {
  constructor(
    readonly imageId: string,
    readonly colours: RecordColours,
    readonly context: CommandContext,
  ) {}

  /** The dominant colours of decoded pixels by the current colour algorithm, as a command. */
  static detect(imageId: string, pixels: RgbPixels, context: CommandContext): RecordColoursCommand {
    const c = detectColours(pixels);
    return new RecordColoursCommand(
      imageId,
      { algorithmVersion: c.algorithmVersion, rgbHex: c.rgb.hex, rybHex: c.ryb.hex, rgbShares: c.rgbShares, rybShares: c.rybShares },
      context,
    );
  }
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

export const COMMAND_HANDLERS = [UploadImageHandler, RecordClassificationHandler, RecordColoursHandler];
