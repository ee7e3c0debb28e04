/** A rendering bug shows as a message with a way back, never as a blank window. */
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('renderer error', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <Box sx={{ p: 4 }}>
        <Alert severity="error" data-testid="fatal-error">
          <AlertTitle>The workstation's window hit an error</AlertTitle>
          {this.state.error.message}
          <Box sx={{ mt: 2 }}>
            <Button variant="outlined" color="inherit" onClick={() => this.setState({ error: null })}>
              Try again
            </Button>
          </Box>
        </Alert>
      </Box>
    );
  }
}
