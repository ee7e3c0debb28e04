/** How a filter score reads on screen: a whole percentage, with "<1 %" rather than a misleading 0. */
export function percent(probability: number): string {
  const value = probability * 100;
  if (value > 0 && value < 1) return '<1 %';
  if (value < 100 && value > 99) return '>99 %';
  return `${Math.round(value)} %`;
}

/** The class with the highest score, and that score; null when the item has no scores. */
export function topScore(scores: Record<string, number> | null): { className: string; probability: number } | null {
  if (!scores) return null;
  let best: { className: string; probability: number } | null = null;
  for (const [className, probability] of Object.entries(scores)) {
    if (!best || probability > best.probability) best = { className, probability };
  }
  return best;
}
