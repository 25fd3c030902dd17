/**
 * An object category's description as plain text: OpenDrift's Leeway table marks sub-categories with
 * leading '>' per tree level (">PIW, sitting, ...", ">>4-14 person capacity, ..."), which must not leak
 * into products ("&gt;PIW" in KML). OpenDrift's own attribute (seed:object_type) keeps the marker.
 */
export function plainCategoryText(description: string): string {
  return description.replace(/^>+\s*/, '');
}
