import AppBar from '@mui/material/AppBar';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { AppState } from '../../main/ipc/contract.ts';

export function TopBar({ state, onBlurChange, onHome }: { state: AppState; onBlurChange: (blur: boolean) => void; onHome: (() => void) | undefined }) {
  return (
    <AppBar position="static" color="default" elevation={1}>
      <Toolbar variant="dense" sx={{ gap: 2 }}>
        <Button color="inherit" onClick={onHome} disabled={!onHome} sx={{ textTransform: 'none', fontSize: '1.05rem', fontWeight: 600 }}>
          ACSR Workstation
        </Button>
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }} noWrap>
          {state.workspace}
        </Typography>
        <Tooltip title="Thumbnails start blurred and greyscale; reveal them one at a time">
          <FormControlLabel
            control={<Switch checked={state.blurByDefault} onChange={(event) => onBlurChange(event.target.checked)} slotProps={{ input: { 'aria-label': 'Blur thumbnails' } }} />}
            label="Blur thumbnails"
          />
        </Tooltip>
        {state.examiner && <Chip label={`Examiner: ${state.examiner}`} variant="outlined" data-testid="examiner-chip" />}
      </Toolbar>
    </AppBar>
  );
}
