import AppBar from '@mui/material/AppBar';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { AppState } from '../../main/ipc/contract/index.ts';
import { WorkerQueueButton } from '../workers/WorkerQueueButton.tsx';

/** The app's screens: cases (and one case), stage i training, evaluation. */
export type Screen = 'cases' | 'training' | 'evaluation';

interface TopBarProps {
  state: AppState;
  onBlurChange: (blur: boolean) => void;
  screen: Screen;
  /** Undefined until the examiner has said who they are. */
  onScreen: ((screen: Screen) => void) | undefined;
}

export function TopBar({ state, onBlurChange, screen, onScreen }: TopBarProps) {
  return (
    <AppBar position="static" color="default" elevation={1}>
      <Toolbar variant="dense" sx={{ gap: 2 }}>
        <Button color="inherit" onClick={() => onScreen?.('cases')} disabled={!onScreen} sx={{ textTransform: 'none', fontSize: '1.05rem', fontWeight: 600 }}>
          ACSR Workstation
        </Button>
        {onScreen && (
          <Tabs value={screen} onChange={(_event, next: Screen) => onScreen(next)} sx={{ minHeight: 40 }}>
            <Tab value="cases" label="Cases" sx={{ minHeight: 40 }} data-testid="nav-cases" />
            <Tab value="training" label="Training" sx={{ minHeight: 40 }} data-testid="nav-training" />
            <Tab value="evaluation" label="Evaluation" sx={{ minHeight: 40 }} data-testid="nav-evaluation" />
          </Tabs>
        )}
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }} noWrap>
          {state.workspace}
        </Typography>
        {onScreen && <WorkerQueueButton state={state} />}
        <Tooltip title="Thumbnails start blurred and greyscale; reveal them one at a time">
          <FormControlLabel
            control={
              <Switch
                checked={state.blurByDefault}
                onChange={(event) => onBlurChange(event.target.checked)}
                slotProps={{ input: { 'aria-label': 'Blur thumbnails' } }}
              />
            }
            label="Blur thumbnails"
          />
        </Tooltip>
        {state.examiner && <Chip label={`Examiner: ${state.examiner}`} variant="outlined" data-testid="examiner-chip" />}
        <Tooltip title="Keyboard keys (press ?)">
          <Button
            color="inherit"
            size="small"
            sx={{ minWidth: 32 }}
            aria-label="Keyboard keys"
            // The same event the ? key sends, so that one listener opens the list.
            onClick={() => window.dispatchEvent(new KeyboardEvent('keydown', { key: '?' }))}
          >
            ?
          </Button>
        </Tooltip>
      </Toolbar>
    </AppBar>
  );
}
