/**
 * A folder the workstation should read, chosen as the import bar chooses one: the native folder
 * dialog in Electron (which grants that path to this session), a typed absolute path in the
 * browser (a web page cannot learn real paths from a file picker). The main side validates
 * either way; this component only collects the path.
 */
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { AppState } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';

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
    <TextField
      size="small"
      label={`${props.label} (absolute path)`}
      value={props.value}
      onChange={(event) => props.onChange(event.target.value)}
      disabled={props.disabled}
      fullWidth
      slotProps={{ htmlInput: { 'data-testid': props.testId, spellCheck: false } }}
    />
  );
}
