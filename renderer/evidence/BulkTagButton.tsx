/** The grid's bulk "Tag…" action: one user tag for every selected item, typed in a small popover. */
import Button from '@mui/material/Button';
import Popover from '@mui/material/Popover';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';

interface BulkTagButtonProps {
  count: number;
  onTag: (tag: string) => Promise<boolean>;
}

export function BulkTagButton({ count, onTag }: BulkTagButtonProps) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [tag, setTag] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onTag(tag.trim())) {
      setTag('');
      setAnchor(null);
    }
  };
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        onClick={(event) => setAnchor(event.currentTarget)}
        sx={{ py: 0, minHeight: 22, fontSize: '0.7rem', flexShrink: 0 }}
        data-testid="bulk-tag"
      >
        Tag…
      </Button>
      <Popover open={anchor !== null} anchorEl={anchor} onClose={() => setAnchor(null)} anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}>
        <Stack component="form" onSubmit={submit} direction="row" spacing={1} sx={{ p: 1.5, alignItems: 'center' }}>
          <TextField
            size="small"
            autoFocus
            label={`Tag for ${count} item${count === 1 ? '' : 's'}`}
            value={tag}
            onChange={(event) => setTag(event.target.value)}
            slotProps={{ htmlInput: { 'data-testid': 'bulk-tag-input', maxLength: 100 } }}
          />
          <Button type="submit" disabled={!tag.trim()}>
            Add tag
          </Button>
        </Stack>
      </Popover>
    </>
  );
}
