// The editor API (corrections, deletion) needs `Authorization: Bearer <token>` of one of the
// editors of VEGVISION_EDITOR_TOKENS, or the admin token (an editor named "admin"). The name of
// the credential is who acted: it is recorded in the event. Without any editor credential
// configured, editing is off (403 editing_disabled), like the admin API without its token.
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CONFIG } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiProblem } from './problem';

const digest = (s: string) => createHash('sha256').update(s).digest();
const EDITOR = Symbol('vegvision.editor');

/** The name of the editor credential the request was authorised with (set by EditorTokenGuard). */
export function editorOf(req: Request): string {
  const name = (req as unknown as Record<symbol, string | undefined>)[EDITOR];
  if (!name) throw new ApiProblem(401, 'unauthorized', 'Send an editor token as "Authorization: Bearer <token>".');
  return name;
}

@Injectable()
export class EditorTokenGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: VegvisionConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const credentials = [...this.config.editors, ...(this.config.adminToken ? [{ name: 'admin', token: this.config.adminToken }] : [])];
    if (credentials.length === 0) {
      throw new ApiProblem(403, 'editing_disabled', 'Editing is disabled: set VEGVISION_EDITOR_TOKENS (or VEGVISION_ADMIN_TOKEN) to enable it.');
    }
    const req = context.switchToHttp().getRequest<Request>();
    const given = /^Bearer (.+)$/i.exec(req.headers['authorization'] ?? '')?.[1];
    if (!given) throw new ApiProblem(401, 'unauthorized', 'Send an editor token as "Authorization: Bearer <token>".');
    // Compare against every credential (constant time each), so the answer's timing names none.
    let match: string | undefined;
    for (const c of credentials) if (timingSafeEqual(digest(given), digest(c.token)) && !match) match = c.name;
    if (!match) throw new ApiProblem(403, 'forbidden', 'The editor token is wrong.');
    (req as unknown as Record<symbol, string>)[EDITOR] = match;
    return true;
  }
}
