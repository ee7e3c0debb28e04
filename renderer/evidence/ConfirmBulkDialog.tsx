/** Asks before a tag or category is given to more than one item: how many, and what. Enter confirms, Escape cancels. */
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';

export interface BulkQuestion {
  /** e.g. "Give CAT-1 (illegal: child abuse material) to 500 items?" */
  title: string;
  detail: string;
  confirmLabel: string;
}

export function ConfirmBulkDialog({ question, onAnswer }: { question: BulkQuestion | null; onAnswer: (confirmed: boolean) => void }) {
  return (
    <Dialog open={question !== null} onClose={() => onAnswer(false)} data-testid="confirm-bulk" maxWidth="xs" fullWidth>
      {question && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            onAnswer(true);
          }}
        >
          <DialogTitle>{question.title}</DialogTitle>
          <DialogContent>
            <DialogContentText>{question.detail}</DialogContentText>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onAnswer(false)}>Cancel</Button>
            {/* Focused: Enter confirms. */}
            <Button type="submit" variant="contained" autoFocus>
              {question.confirmLabel}
            </Button>
          </DialogActions>
        </form>
      )}
    </Dialog>
  );
}
