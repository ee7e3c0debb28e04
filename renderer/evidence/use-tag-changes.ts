/**
 * Category and tag changes from the grid: a change to more than one item is asked about first,
 * and every change can be taken back (the message's Undo, or Ctrl/Cmd+Z for the latest one).
 * An undo is recorded in the case's audit log as a reversal of the change's entries; nothing is
 * deleted.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CategoryCode } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { CATEGORY_LABELS } from '../common/category-labels.ts';
import type { BulkQuestion } from './ConfirmBulkDialog.tsx';

interface Change {
  tagIds: number[];
  /** e.g. "CAT-1 given to 3 items". */
  description: string;
}

/** Changes that can still be undone with Ctrl+Z, newest last. */
const UNDO_DEPTH = 20;

export function useTagChanges(caseId: string, onChanged: () => Promise<void>) {
  const client = useClient();
  const { reportError, inform } = useNotices();
  const [question, setQuestion] = useState<BulkQuestion | null>(null);
  const answer = useRef<((confirmed: boolean) => void) | null>(null);
  const history = useRef<Change[]>([]);
  useEffect(() => {
    history.current = [];
  }, [caseId]);

  const ask = useCallback(
    (next: BulkQuestion) =>
      new Promise<boolean>((resolve) => {
        answer.current = resolve;
        setQuestion(next);
      }),
    [],
  );
  const onAnswer = useCallback((confirmed: boolean) => {
    setQuestion(null);
    answer.current?.(confirmed);
    answer.current = null;
  }, []);

  const undo = useCallback(
    async (change: Change) => {
      try {
        await client.call('evidence.undoTags', { caseId, tagIds: change.tagIds });
        history.current = history.current.filter((candidate) => candidate !== change);
        await onChanged();
        inform(`Undone: ${change.description}`, 'info');
      } catch (error) {
        reportError(error);
      }
    },
    [client, caseId, onChanged, inform, reportError],
  );

  const record = useCallback(
    async (tagIds: number[], description: string) => {
      const change = { tagIds, description };
      history.current = [...history.current.slice(-(UNDO_DEPTH - 1)), change];
      await onChanged();
      inform(description, 'success', { label: 'Undo', run: () => void undo(change) });
    },
    [onChanged, inform, undo],
  );

  const itemsText = (count: number) => (count === 1 ? 'one item' : `${count} items`);

  const setCategory = useCallback(
    async (itemIds: number[], category: CategoryCode) => {
      const what = `${category} (${CATEGORY_LABELS[category]})`;
      if (
        itemIds.length > 1 &&
        !(await ask({
          title: `Give ${what} to ${itemIds.length} items?`,
          detail: `Every one of the ${itemIds.length} selected items gets ${category}. You can undo this afterwards.`,
          confirmLabel: `Give ${category} to ${itemIds.length} items`,
        }))
      )
        return;
      try {
        const { tagIds } = await client.call('evidence.setCategory', { caseId, itemIds, category });
        await record(tagIds, `${what} given to ${itemsText(itemIds.length)}`);
      } catch (error) {
        reportError(error);
      }
    },
    [client, caseId, ask, record, reportError],
  );

  const tagItems = useCallback(
    async (itemIds: number[], tag: string) => {
      if (
        itemIds.length > 1 &&
        !(await ask({
          title: `Tag ${itemIds.length} items “${tag}”?`,
          detail: `Every one of the ${itemIds.length} selected items gets the tag “${tag}”. You can undo this afterwards.`,
          confirmLabel: `Tag ${itemIds.length} items`,
        }))
      )
        return false;
      try {
        const { tagIds } = await client.call('evidence.tagItems', { caseId, itemIds, tag });
        await record(tagIds, `Tag “${tag}” given to ${itemsText(itemIds.length)}`);
        return true;
      } catch (error) {
        reportError(error);
        return false;
      }
    },
    [client, caseId, ask, record, reportError],
  );

  // Ctrl/Cmd+Z takes back the latest change, unless the keys are typing into a field.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.key === 'z' || event.key === 'Z') || !(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      event.preventDefault();
      const latest = history.current.at(-1);
      if (latest) void undo(latest);
      else inform('Nothing to undo', 'info');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, inform]);

  /** A change made elsewhere (the item view), offered for undo like the grid's. */
  const remember = useCallback((tagIds: number[], description: string) => void record(tagIds, description), [record]);

  return { setCategory, tagItems, remember, question, onAnswer };
}
