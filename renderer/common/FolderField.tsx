/**
 * A folder the workstation should read, chosen as the import bar chooses one: the native folder
 * dialog in Electron (which grants that path to this session); in the browser, a typed path
 * (`~/...` is the home folder) or the workstation's own folder browser (a web page cannot learn
 * real paths from a file picker). The main side validates either way; this component only
 * collects the path.
 */
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { AppState } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { FolderBrowserDialog } from './FolderBrowserDialog.tsx';

export function FolderField(props: {
  state: AppState;
  label: string;
  dialogTitle: string;
  value: string;
  onChange: (path: string) => void;
  testId: string;
  disabled?: boolean;
}) {
  const client = useClient();
  const { reportError } = useNotices();
  const [browsing, setBrowsing] = useState(false);
  if (props.state.nativeFolderDialog) {
    const choose = () =>
      client.call('dialog.chooseFolder', { title: props.dialogTitle }).then((chosen) => {
        if (chosen.path) props.onChange(chosen.path);
      }, reportError);
    return (
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Button variant="outlined" onClick={() => void choose()} disabled={props.disabled}>
          {props.label}…
        </Button>
        <Typography variant="body2" color={props.value ? 'text.primary' : 'text.secondary'} sx={{ overflowWrap: 'anywhere' }} data-testid={props.testId}>
          {props.value || 'no folder chosen'}
        </Typography>
      </Stack>
    );
  }
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
      <TextField
        size="small"
        label={`${props.label} (full path or ~/…)`}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        disabled={props.disabled}
        fullWidth
        slotProps={{ htmlInput: { 'data-testid': props.testId, spellCheck: false } }}
      />
      <Button variant="outlined" onClick={() => setBrowsing(true)} disabled={props.disabled} data-testid={`${props.testId}-browse`}>
        Browse…
      </Button>
      <FolderBrowserDialog
        open={browsing}
        title={props.dialogTitle}
        start={props.value}
        onClose={() => setBrowsing(false)}
        onChoose={(path) => {
          setBrowsing(false);
          props.onChange(path);
        }}
      />
    </Stack>
  );
}
