/**
 * Search by file name and the grid's order (item number, name, size, date imported, a filter
 * score of one class, or the evasion score), done by the service. The search waits for a pause in typing, so a long
 * list is not fetched on every keystroke.
 */
import IconButton from '@mui/material/IconButton';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import { useEffect, useState } from 'react';
import type { CaseFilterModel, EvidenceSort } from '../../main/ipc/contract/index.ts';

const SEARCH_PAUSE_MS = 250;

const PLAIN_ORDERS = [
  ['number', 'Item number'],
  ['name', 'File name'],
  ['size', 'File size'],
  ['date', 'Date imported'],
] as const;

export interface GridOrder {
  search: string;
  sort: EvidenceSort;
}

export const DEFAULT_ORDER: GridOrder = { search: '', sort: { by: 'number', descending: false } };

interface GridOrderBarProps {
  order: GridOrder;
  filterModels: CaseFilterModel[];
  onChange: (order: GridOrder) => void;
}

export function GridOrderBar({ order, filterModels, onChange }: GridOrderBarProps) {
  const [typed, setTyped] = useState(order.search);
  useEffect(() => {
    if (typed.trim() === order.search) return;
    const timer = setTimeout(() => onChange({ ...order, search: typed.trim() }), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [typed, order, onChange]);

  const scoreClasses = [...new Set(filterModels.flatMap((model) => model.classNames))];
  const selected = order.sort.by === 'score' ? `score:${order.sort.className}` : order.sort.by;
  const choose = (value: string) => {
    // Highest score first is what triage wants; the arrow turns it round.
    const sort: EvidenceSort = value.startsWith('score:')
      ? { by: 'score', className: value.slice('score:'.length), descending: true }
      : value === 'evasion'
        ? { by: 'evasion', descending: true }
        : { by: value as Exclude<EvidenceSort['by'], 'score' | 'evasion'>, descending: false };
    onChange({ ...order, sort });
  };

  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <TextField
        size="small"
        label="Search file names"
        placeholder="name or folder"
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        sx={{ width: 200 }}
        slotProps={{ htmlInput: { 'data-testid': 'grid-search', spellCheck: false } }}
      />
      <TextField
        select
        size="small"
        label="Sort by"
        value={selected}
        onChange={(event) => choose(event.target.value)}
        sx={{ width: 240 }}
        slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'grid-sort' } as object } }}
      >
        {PLAIN_ORDERS.map(([value, label]) => (
          <MenuItem key={value} value={value}>
            {label}
          </MenuItem>
        ))}
        {scoreClasses.map((name) => (
          <MenuItem key={name} value={`score:${name}`}>
            Filter score: {name}
          </MenuItem>
        ))}
        <MenuItem value="evasion">Evasion score</MenuItem>
      </TextField>
      <Tooltip title={order.sort.descending ? 'Highest first: click for lowest first' : 'Lowest first: click for highest first'}>
        <IconButton
          size="small"
          aria-label={order.sort.descending ? 'Sorted highest first' : 'Sorted lowest first'}
          data-testid="grid-sort-direction"
          onClick={() => onChange({ ...order, sort: { ...order.sort, descending: !order.sort.descending } })}
        >
          {order.sort.descending ? '↓' : '↑'}
        </IconButton>
      </Tooltip>
    </Stack>
  );
}
