/** A category as its colour and code, with its meaning on hover; never shortened with an ellipsis. */
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import type { CategoryCode } from '../../main/ipc/contract/index.ts';
import { CATEGORY_COLOURS, categoryCodeFor } from '../common/category-colours.ts';
import { CATEGORY_LABELS } from '../common/category-labels.ts';

export function CategoryBadge({ code, tileSize = 320 }: { code: CategoryCode; tileSize?: number }) {
  const colour = CATEGORY_COLOURS[code];
  return (
    <Tooltip title={`${code}: ${CATEGORY_LABELS[code]}`}>
      <Box
        component="span"
        data-testid="category-chip"
        sx={{
          flexShrink: 0,
          px: 0.75,
          borderRadius: 1,
          fontSize: '0.7rem',
          fontWeight: 700,
          lineHeight: '20px',
          height: 20,
          whiteSpace: 'nowrap',
          bgcolor: colour.background,
          color: colour.text,
        }}
      >
        {categoryCodeFor(code, tileSize)}
      </Box>
    </Tooltip>
  );
}

/** Every category's colour, code and meaning, in one line above the grid. */
export function CategoryLegend() {
  return (
    <Box data-testid="category-legend" sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 1.5, rowGap: 0.5, alignItems: 'center' }}>
      {(Object.keys(CATEGORY_COLOURS) as CategoryCode[]).map((code) => (
        <Box key={code} component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, fontSize: '0.75rem', color: 'text.secondary' }}>
          <Box
            component="span"
            sx={{
              px: 0.5,
              borderRadius: 1,
              fontWeight: 700,
              fontSize: '0.7rem',
              bgcolor: CATEGORY_COLOURS[code].background,
              color: CATEGORY_COLOURS[code].text,
            }}
          >
            {code}
          </Box>
          {CATEGORY_LABELS[code]}
        </Box>
      ))}
    </Box>
  );
}
