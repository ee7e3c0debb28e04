/** The window: top bar, the current screen (examiner, cases, or one case) and the jobs panel. */
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppState, CaseSummary } from '../../main/ipc/contract/index.ts';
import { messageOf } from '../client/workstation-client.ts';
import { JobsPanel } from '../jobs/JobsPanel.tsx';
import { useJobs } from '../jobs/use-jobs.ts';
import { CaseScreen } from '../screens/CaseScreen.tsx';
import { CasesScreen } from '../screens/CasesScreen.tsx';
import { ExaminerSetup } from '../screens/ExaminerSetup.tsx';
import { TrainingScreen } from '../training/TrainingScreen.tsx';
import { EvaluationScreen } from '../evaluation/EvaluationScreen.tsx';
import { useClient } from './client-context.tsx';
import { useNotices } from './notices.tsx';
import { KeyboardHelp } from './KeyboardHelp.tsx';
import { openCaseKey, readRemembered, writeRemembered } from './remembered.ts';
import { TopBar, type Screen } from './TopBar.tsx';

export function App() {
  const client = useClient();
  const { reportError } = useNotices();
  const [state, setState] = useState<AppState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [openCase, setOpenCase] = useState<CaseSummary | null>(null);
  const [screen, setScreen] = useState<Screen>('cases');
  const jobs = useJobs();

  const load = useCallback(() => {
    setLoadError(null);
    client.call('app.state', {}).then(setState, (error: unknown) => setLoadError(messageOf(error)));
  }, [client]);
  useEffect(load, [load]);

  // A reload returns to the case that was open; a case that is gone since is forgotten quietly.
  const workspace = state?.workspace ?? null;
  const examiner = state?.examiner ?? null;
  const reopened = useRef(false);
  useEffect(() => {
    if (!workspace || !examiner || reopened.current) return;
    reopened.current = true;
    const kept = readRemembered(openCaseKey(workspace));
    if (!kept) return;
    client.call('cases.get', { caseId: kept }).then(
      (summary) => setOpenCase((current) => current ?? summary),
      () => writeRemembered(openCaseKey(workspace), null),
    );
  }, [client, workspace, examiner]);
  const showCase = useCallback(
    (summary: CaseSummary | null) => {
      setOpenCase(summary);
      if (workspace) writeRemembered(openCaseKey(workspace), summary?.caseId ?? null);
    },
    [workspace],
  );

  const setBlur = (blur: boolean) => client.call('app.setBlurByDefault', { blur }).then(setState, reportError);

  if (loadError) {
    return (
      <Box sx={{ p: 4 }}>
        <Alert severity="error" data-testid="load-error">
          <AlertTitle>Cannot reach the workstation</AlertTitle>
          {loadError}
          <Box sx={{ mt: 2 }}>
            <Button variant="outlined" color="inherit" onClick={load}>
              Retry
            </Button>
          </Box>
        </Alert>
      </Box>
    );
  }
  if (!state) {
    return (
      <Stack sx={{ alignItems: 'center', justifyContent: 'center', height: '100%' }} spacing={2}>
        <CircularProgress />
        <Typography color="text.secondary">Connecting to the workstation…</Typography>
      </Stack>
    );
  }

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <TopBar
        state={state}
        onBlurChange={setBlur}
        screen={screen}
        onScreen={
          state.examiner
            ? (next) => {
                setScreen(next);
                if (next === 'cases') showCase(null);
              }
            : undefined
        }
      />
      <Box sx={{ display: 'flex', flex: 1, minHeight: 0 }}>
        <Box sx={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
          {!state.examiner ? (
            <ExaminerSetup onDone={setState} />
          ) : screen === 'training' ? (
            <TrainingScreen state={state} jobs={jobs} />
          ) : screen === 'evaluation' ? (
            <EvaluationScreen state={state} jobs={jobs} />
          ) : openCase ? (
            <CaseScreen caseSummary={openCase} blurByDefault={state.blurByDefault} state={state} jobs={jobs} onClose={() => showCase(null)} />
          ) : (
            <CasesScreen onOpen={showCase} />
          )}
        </Box>
        <JobsPanel jobs={jobs} caseId={screen === 'cases' && openCase ? openCase.caseId : null} />
      </Box>
      <KeyboardHelp />
    </Box>
  );
}
