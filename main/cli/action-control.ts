/** How a command runs an action in its own process: with its progress bar, Ctrl-C and stderr notes. */
import type { ActionControl } from '../actions/define-action.ts';
import type { CommandContext } from './command.ts';

/** No `output`: a terminal has nowhere to show an elbow curve or an atom grid, so the action draws none. */
export function actionControl({ progress, signal, note }: Pick<CommandContext<unknown>, 'progress' | 'signal' | 'note'>): ActionControl {
  return { progress, signal, note };
}
