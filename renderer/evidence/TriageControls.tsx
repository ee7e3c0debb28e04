/** The grid's triage controls: the hash list filter (any match, or a list category) and the near-duplicate grouping. */
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';

/** '': no filter; 'any': matches some list; otherwise 'category:<name>'. */
export type HashListFilter = string;

export function hashMatchQuery(filter: HashListFilter): { hashMatch?: { category?: string } } {
  if (filter === '') return {};
  if (filter === 'any') return { hashMatch: {} };
  return { hashMatch: { category: filter.slice('category:'.length) } };
}

interface TriageControlsProps {
  filter: HashListFilter;
  onFilter: (filter: HashListFilter) => void;
  /** Categories the lists gave the case's matched items. */
  categories: readonly string[];
  grouped: boolean;
  onGrouped: (grouped: boolean) => void;
}

export function TriageControls({ filter, onFilter, categories, grouped, onGrouped }: TriageControlsProps) {
  return (
    <>
      <TextField
        select
        size="small"
        label="Hash lists"
        value={filter}
        onChange={(event) => onFilter(event.target.value)}
        sx={{ width: 230 }}
        slotProps={{ htmlInput: { 'data-testid': 'hash-list-filter' } }}
      >
        <MenuItem value="">Any item</MenuItem>
        <MenuItem value="any">Matches a hash list</MenuItem>
        {categories.map((category) => (
          <MenuItem key={category} value={`category:${category}`}>
            Matches a list as {category}
          </MenuItem>
        ))}
      </TextField>
      <FormControlLabel
        control={<Switch size="small" checked={grouped} onChange={(event) => onGrouped(event.target.checked)} data-testid="group-near-duplicates" />}
        label="Group near-duplicates"
        sx={{ ml: 0, '& .MuiFormControlLabel-label': { fontSize: '0.85rem' } }}
      />
    </>
  );
}
