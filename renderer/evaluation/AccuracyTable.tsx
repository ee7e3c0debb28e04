/**
 * An evaluation's accuracy table: a row per attack (and the clean images), a column per defense,
 * each cell the accuracy with its Wilson 95 % interval and the count it rests on. Each attack row
 * says how its budget is measured (the paper's dissimilarity, per-pixel L2 or Linf), since the
 * bare number means nothing without it. Cells not measured yet show a dash while the evaluation runs.
 */
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { EvaluationTable } from '../../main/ipc/contract/index.ts';

export function AccuracyTable({ table }: { table: EvaluationTable }) {
  const cellOf = (row: string, defense: string) => table.cells.find((cell) => cell.row === row && cell.defense === defense);
  const budgetOf = (row: string) => table.rowBudgets.find((entry) => entry.row === row)?.budget ?? '';
  return (
    <Table size="small" data-testid="accuracy-table" data-complete={table.complete} sx={{ width: 'auto' }}>
      <TableHead>
        <TableRow>
          <TableCell>attack (budget, pixels in [0, 1]) \ defense</TableCell>
          {table.defenses.map((defense) => (
            <TableCell key={defense} align="right" data-testid="accuracy-column">
              {defense}
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {table.rows.map((row) => (
          <TableRow key={row} data-testid="accuracy-row" data-row={row}>
            <TableCell component="th" scope="row" sx={{ fontWeight: 600 }}>
              {row === 'clean' ? 'clean (no attack)' : row}
              {row !== 'clean' && budgetOf(row) ? (
                <Typography variant="caption" color="text.secondary" component="div" data-testid="accuracy-row-budget" sx={{ fontWeight: 400, maxWidth: 260 }}>
                  {budgetOf(row)}
                </Typography>
              ) : null}
            </TableCell>
            {table.defenses.map((defense) => {
              const cell = cellOf(row, defense);
              return (
                <TableCell key={defense} align="right" data-testid="accuracy-cell" data-defense={defense} data-accuracy={cell?.accuracy ?? ''}>
                  {cell ? (
                    <>
                      <Typography variant="body2" component="span" sx={{ fontWeight: 600 }}>
                        {percent(cell.accuracy)}
                      </Typography>
                      <Typography variant="caption" color="text.secondary" component="div">
                        [{percent(cell.low)}, {percent(cell.high)}] · {cell.correct}/{cell.total}
                      </Typography>
                    </>
                  ) : (
                    '—'
                  )}
                </TableCell>
              );
            })}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${(100 * value).toFixed(1)} %` : 'n/a';
}
