/**
 * One order for "by score" everywhere a list of items is sorted by a score (the grid's filter
 * score and evasion sorts, `acsr case list --sort evasion`): scored items in the score's order,
 * then the unscored ones whichever way the score runs; ties, and the unscored, by item number,
 * so the same case lists the same way on every call and in every place.
 */
export function sortByScore<T>(items: readonly T[], itemIdOf: (item: T) => number, scoreOf: (item: T) => number | null | undefined, direction: 1 | -1): T[] {
  return [...items].sort((a, b) => {
    const [x, y] = [scoreOf(a) ?? undefined, scoreOf(b) ?? undefined];
    if (x === undefined || y === undefined) return x === y ? itemIdOf(a) - itemIdOf(b) : x === undefined ? 1 : -1;
    return direction * (x - y) || itemIdOf(a) - itemIdOf(b);
  });
}
