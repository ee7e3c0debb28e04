/** The item view's known-content hash list matches: which list, its category, and how close. */
import Box from '@mui/material/Box';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { EvidenceDetail, HashMatchView } from '../../main/ipc/contract/index.ts';

const KIND_WORDS: Record<HashMatchView['kind'], string> = { pdq: 'PDQ', md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256' };

export function HashMatchFacts({ detail }: { detail: EvidenceDetail }) {
  return (
    <Box data-testid="item-hash-matches">
      <Typography variant="subtitle2" gutterBottom>
        Known-content hash lists
      </Typography>
      {detail.hashMatches.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No match with the workspace&apos;s hash lists.
        </Typography>
      ) : (
        <Table size="small" sx={{ '& td, & th': { px: 0.75, py: 0.25, fontSize: '0.75rem' } }}>
          <TableHead>
            <TableRow>
              <TableCell>List</TableCell>
              <TableCell>Category</TableCell>
              <TableCell>How it matched</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {detail.hashMatches.map((match, index) => (
              <TableRow key={index} data-testid="item-hash-match">
                <TableCell title={`version ${match.listSha256}, line ${match.line}${match.source ? `, source ${match.source}` : ''}`}>
                  {match.listName}
                </TableCell>
                <TableCell>{match.category ?? 'none'}</TableCell>
                <TableCell>{howItMatched(match)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

export function howItMatched(match: HashMatchView): string {
  if (match.kind !== 'pdq') return `same file (${KIND_WORDS[match.kind]})`;
  const turned = match.variant && match.variant !== 'as it is' ? `, ${match.variant}` : '';
  return `similar picture: ${match.distance} of 256 bits differ${turned}`;
}
