/** The grid's evasion filter: every item, or only those suspected of evasion. (The evasion score order is one of the grid's sorts.) */
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';

export type EvasionFilter = 'any' | 'suspected';

interface EvasionControlsProps {
  filter: EvasionFilter;
  onFilter: (filter: EvasionFilter) => void;
}

export function EvasionControls({ filter, onFilter }: EvasionControlsProps) {
  return (
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
  );
}
