/**
 * How the screens name the category codes (Project VIC's VICS categories). Only the codes travel
 * and are stored; these words are the interface's, as the reports and the CLI have their own.
 */
import type { CategoryCode } from '../../main/ipc/contract/index.ts';

export const CATEGORY_LABELS: Readonly<Record<CategoryCode, string>> = {
  'CAT-0': 'uncategorised',
  'CAT-1': 'illegal: child abuse material',
  'CAT-2': 'child exploitive (not illegal)',
  'CAT-3': 'CGI or animation',
  'CAT-4': 'comparison image',
  'CAT-5': 'not pertinent',
};
