// What people change in the catalog: correct an image's kind (POST /api/images/:id/corrections)
// and delete an image (DELETE /api/images/:id). Both need an editor token (EditorTokenGuard);
// the editor's name is recorded as who acted. Errors are 4xx problem+json: 400 bad id or body,
// 401 no token, 403 editing off or wrong token, 404 no such image (or deleted), 413/415 from
// JsonBodyInterceptor (body over 16 KiB, not application/json).
import { Controller, Delete, HttpCode, Param, Post, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CorrectLabelCommand, ImageDeletionService, type CommandResult } from '@vegvision/application';
import { KINDS, MAX_CORRECTION_NOTE_LENGTH, NOT_A_VEGETABLE, isLabel, newId } from '@vegvision/domain';
import { CommandBus } from '@nestjs/cqrs';
import type { Request } from 'express';
import { CORRECTION_RECORDED_SCHEMA, CORRECTION_REQUEST_SCHEMA, NOTE_PATTERN, UUID_PATTERN } from './api-schemas';
import { EditorTokenGuard, editorOf } from './editor-token.guard';
import { JsonBodyInterceptor } from './json-body.interceptor';
import { ApiJson, ApiProblems } from './openapi';
import { ApiProblem } from './problem';

const UUID_RE = new RegExp(UUID_PATTERN);

function parseImageId(id: string): string {
  if (!UUID_RE.test(id)) throw new ApiProblem(400, 'invalid_image_id', `"${id.slice(0, 60)}" is not an image id`);
  return id;
}

const NOTE_TEXT = new RegExp(NOTE_PATTERN, 'u');
/** An unpaired UTF-16 surrogate (JSON can carry one; no store can keep it as text). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The correction body: {"kind": "<kind>", "note"?: "<at most 1000 characters>"}, nothing else. */
function parseCorrection(body: unknown): { kind: string; note: string } {
  if (body === undefined) throw new ApiProblem(400, 'kind_required', 'Send JSON {"kind": "<kind>", "note": "<optional note>"}.');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiProblem(400, 'invalid_correction', 'The body must be a JSON object {"kind": "<kind>", "note": "<optional note>"}.');
  }
  if (!('kind' in body)) throw new ApiProblem(400, 'kind_required', 'Send JSON {"kind": "<kind>", "note": "<optional note>"}.');
  const extra = Object.keys(body).filter((k) => k !== 'kind' && k !== 'note');
  if (extra.length) {
    throw new ApiProblem(400, 'invalid_correction', `Unknown field(s) ${extra.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}: only "kind" and "note" are read.`);
  }
  const { kind, note } = body as { kind: unknown; note?: unknown };
  if (typeof kind !== 'string' || !isLabel(kind)) {
    throw new ApiProblem(400, 'unknown_kind', `Unknown kind ${JSON.stringify(String(kind).slice(0, 60))}. Known kinds: ${KINDS.join(', ')}, ${NOT_A_VEGETABLE}.`);
  }
  if (note !== undefined && typeof note !== 'string') throw new ApiProblem(400, 'invalid_correction', '"note" must be a string.');
  if (typeof note === 'string' && (LONE_SURROGATE.test(note) || !NOTE_TEXT.test(note))) {
    throw new ApiProblem(400, 'invalid_correction', '"note" must be plain text: no control characters, no unpaired surrogates.');
  }
  if (typeof note === 'string' && note.length > MAX_CORRECTION_NOTE_LENGTH) {
    throw new ApiProblem(400, 'note_too_long', `A note has at most ${MAX_CORRECTION_NOTE_LENGTH} characters (this one has ${note.length}).`);
  }
  return { kind, note: note ?? '' };
}

@ApiTags('images')
@ApiBearerAuth()
@ApiProblems(401, 403)
@UseGuards(EditorTokenGuard)
@Controller('api/images')
export class ImageEditsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly deletion: ImageDeletionService,
  ) {}

  @Post(':id/corrections')
  @HttpCode(201)
  @ApiOperation({ summary: 'Say what kind the image shows: recorded as LabelCorrected, shown over every model label (editor token)' })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: UUID_PATTERN }, description: 'Image id (lower-case UUID)' })
  @ApiBody({ required: true, schema: CORRECTION_REQUEST_SCHEMA })
  @ApiJson(201, 'The correction recorded', CORRECTION_RECORDED_SCHEMA)
  @ApiProblems(400, 404, 413, 415)
  @UseInterceptors(JsonBodyInterceptor)
  async correct(@Param('id') rawId: string, @Req() req: Request) {
    const imageId = parseImageId(rawId);
    const { kind, note } = parseCorrection(req.body);
    const correlationId = newId();
    const result: CommandResult = await this.commandBus.execute(
      new CorrectLabelCommand(imageId, { kind, note, by: editorOf(req) }, { correlationId }),
    );
    const event = result.events[0];
    const data = event.data as { kind: string; note: string; correctedBy: string; correctedAt: string; previousKind: string };
    return {
      eventId: event.meta.eventId,
      imageId,
      kind: data.kind,
      note: data.note,
      correctedBy: data.correctedBy,
      correctedAt: data.correctedAt,
      previousKind: data.previousKind || null,
      links: { image: `/api/images/${imageId}` },
    };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an image: ImageDeleted is recorded, the original leaves object storage, the image every read model (editor token)',
  })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: UUID_PATTERN }, description: 'Image id (lower-case UUID)' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 404)
  async remove(@Param('id') rawId: string, @Req() req: Request): Promise<void> {
    await this.deletion.delete(parseImageId(rawId), editorOf(req));
  }
}
