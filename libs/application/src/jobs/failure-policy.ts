// What a consumer retries and what it dead-letters at once.
import { InvalidPixelsError } from '@vegvision/colour';
import { ClassifierInputError } from '@vegvision/classifier';
import { DomainError } from '@vegvision/domain';
import { ImageError } from '@vegvision/imaging';
import { PermanentMessageError } from '@vegvision/bus';
import { ObjectNotFoundError } from '@vegvision/storage';
import { InvalidEventError } from '@vegvision/read-model';

/**
 * Delivery attempts of a consumer on Kafka before the bus dead-letters a message. Transient
 * failures (PostgreSQL restarting, S3 unreachable) are retried: the bus backs off up to 5 s
 * between attempts, so 120 attempts ride out about 10 minutes of outage instead of
 * dead-lettering every message in flight after a few seconds. Permanent failures
 * (see permanentFailure) skip the retries and go to the dead-letter topic at once.
 */
export const CONSUMER_MAX_ATTEMPTS = 120;

/**
 * The failures of a consumer that no retry can cure, wrapped so the bus dead-letters them on the
 * first attempt: a stored original that is gone or does not decode, pixels or a label the
 * domain or the read model refuses. Anything else (a server down, a timeout, a conflict) is
 * returned unchanged and retried. Once its cause is mended, `vegvision relabel --model <active
 * version>` gives a dead-lettered upload what it lacks: that model's label, the current colours.
 */
export function permanentFailure(error: unknown): unknown {
  const permanent =
    error instanceof ImageError ||
    error instanceof ObjectNotFoundError ||
    error instanceof DomainError ||
    error instanceof InvalidEventError ||
    error instanceof ClassifierInputError ||
    error instanceof InvalidPixelsError;
  if (!permanent) return error;
  const e = error as Error;
  return new PermanentMessageError(`${e.name}: ${e.message}`, { cause: error });
}
