// Whether the models disagree about an image: the newest labels of the two model versions that
// labelled it most recently name different kinds. A relabel by a new model that changes the
// kind puts the image in the review queue; a repeated run of one version never does.

export interface VersionedLabel {
  modelVersion: string;
  kind: string;
  /** Log position (orders the labels). */
  position: number;
}

export function modelsDisagree(labels: readonly VersionedLabel[]): boolean {
  const newestPerVersion = new Map<string, VersionedLabel>();
  for (const label of labels) {
    const seen = newestPerVersion.get(label.modelVersion);
    if (!seen || label.position > seen.position) newestPerVersion.set(label.modelVersion, label);
  }
  const [a, b] = [...newestPerVersion.values()].sort((x, y) => y.position - x.position);
  return b !== undefined && a.kind !== b.kind;
}
