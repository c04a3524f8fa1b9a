// Query parameters are single values: a repeated one (?palette=RGB&palette=RYB arrives as an
// array) is refused with one stable code instead of reaching code that expects a string.
import type { Request } from 'express';
import { ApiProblem } from './problem';

/** The value of query parameter `name`, or undefined when absent; 400 `repeated_parameter` when given twice or more. */
export function singleQuery(req: Request, name: string): string | undefined {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  throw new ApiProblem(400, 'repeated_parameter', `Give the query parameter "${name}" once (it was given ${Array.isArray(value) ? value.length : 'several'} times).`, {
    parameter: name,
  });
}
