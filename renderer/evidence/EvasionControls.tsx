/** The grid's evasion filter ("suspected evasion" only) and its order (as imported, or highest evasion score first). */
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import type { EvidenceSummary } from '../../main/ipc/contract/index.ts';

export type EvasionFilter = 'any' | 'suspected';
/** Applied on top of the grid's sort: off, or the highest evasion score first. */
export type EvasionOrder = 'import' | 'evasion';

interface EvasionControlsProps {
  filter: EvasionFilter;
  order: EvasionOrder;
  onFilter: (filter: EvasionFilter) => void;
  onOrder: (order: EvasionOrder) => void;
}

export function EvasionControls({ filter, order, onFilter, onOrder }: EvasionControlsProps) {
  return (
    <>
      <TextField
        select
        size="small"
        label="Evasion"
        value={filter}
        onChange={(event) => onFilter(event.target.value as EvasionFilter)}
        sx={{ width: 220 }}
        slotProps={{ htmlInput: { 'data-testid': 'evasion-filter' } }}
      >
        <MenuItem value="any">Any</MenuItem>
        <MenuItem value="suspected">Suspected evasion</MenuItem>
      </TextField>
      <TextField
        select
        size="small"
        label="Evasion order"
        value={order}
        onChange={(event) => onOrder(event.target.value as EvasionOrder)}
        sx={{ width: 280 }}
        slotProps={{ htmlInput: { 'data-testid': 'grid-order' } }}
      >
        <MenuItem value="import">As sorted</MenuItem>
        <MenuItem value="evasion">Evasion score, highest first</MenuItem>
      </TextField>
    </>
  );
}

/** Highest evasion score first; items without one keep their order after all scored ones. */
export function orderItems(items: EvidenceSummary[], order: EvasionOrder): EvidenceSummary[] {
  if (order === 'import') return items;
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (b.item.evasion?.score ?? -1) - (a.item.evasion?.score ?? -1) || a.index - b.index)
    .map(({ item }) => item);
}
