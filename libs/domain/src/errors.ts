/** A command violated an invariant of the image aggregate. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ImageNotFoundError extends DomainError {
  constructor(readonly imageId: string) {
    super('image_not_found', `image ${imageId} does not exist`);
    this.name = 'ImageNotFoundError';
  }
}
