/**
 * One panel of the image view: a part of a purification run, fetched over IPC as a display PNG,
 * drawn under the shared zoom/pan, concealed (blurred, grey) unless revealed, with its name and
 * the display scaling it was given (the signed parts are amplified to be visible at all).
 */
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState } from 'react';
import type { RenderedViewPart, ViewPart } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';
import type { SyncedView } from './use-synced-view.ts';
import { VIEW_PART_NOTATION, VIEW_PART_TITLES, viewPartScaling, viewPartScalingNotation } from './view-part-titles.ts';

const PANEL_EDGE = 1024;
const CONCEALED = 'blur(18px) grayscale(1)';

interface ViewPanelProps {
  caseId: string;
  itemId: number;
  runId: number;
  part: ViewPart;
  concealed: boolean;
  view: SyncedView;
}

export function ViewPanel({ caseId, itemId, runId, part, concealed, view }: ViewPanelProps) {
  const client = useClient();
  const [image, setImage] = useState<RenderedViewPart | null>(null);
  const [error, setError] = useState<string | null>(null);
  const title = VIEW_PART_TITLES[part];
  const url = image ? `data:${image.mediaType};base64,${image.base64}` : null;
  const frame = useRef<HTMLDivElement>(null);
  const { wheel, measure } = view;
  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    measure(element);
    const resized = new ResizeObserver(() => measure(element));
    resized.observe(element);
    const listener = (event: WheelEvent) => wheel(event, element);
    element.addEventListener('wheel', listener, { passive: false });
    return () => {
      resized.disconnect();
      element.removeEventListener('wheel', listener);
    };
  }, [wheel, measure]);

  useEffect(() => {
    let current = true;
    setImage(null);
    setError(null);
    client.call('evidence.viewPart', { caseId, itemId, runId, part, maxEdge: PANEL_EDGE }).then(
      (rendered) => current && setImage(rendered),
      (failure: unknown) => current && setError(messageOf(failure)),
    );
    return () => {
      current = false;
    };
  }, [client, caseId, itemId, runId, part]);

  const { scale, x, y } = view.transform;
  return (
    <Box data-testid="view-panel" data-part={part} sx={{ minWidth: 0 }}>
      <Box
        ref={frame}
        {...view.handlers}
        sx={{
          position: 'relative',
          aspectRatio: '4 / 3',
          bgcolor: '#0b0d10',
          overflow: 'hidden',
          cursor: scale > 1 ? 'grab' : 'zoom-in',
          touchAction: 'none',
          borderRadius: 1,
        }}
      >
        {url && (
          <img
            src={url}
            alt={concealed ? `${title} (concealed)` : title}
            data-testid="view-image"
            data-blurred={concealed ? 'true' : 'false'}
            draggable={false}
            style={{
              position: 'absolute',
              inset: 0,
              width: '100%',
              height: '100%',
              objectFit: 'contain',
              transformOrigin: '0 0',
              transform: `translate(${x}px, ${y}px) scale(${scale})`,
              // Enlarged pixels stay square: at high zoom the investigator is looking at single pixels.
              imageRendering: scale >= 4 ? 'pixelated' : 'auto',
              filter: concealed ? CONCEALED : 'none',
            }}
          />
        )}
        {!url && (
          <Typography
            variant="caption"
            color={error ? 'error' : 'text.secondary'}
            sx={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center', p: 1, textAlign: 'center' }}
          >
            {error ?? 'loading…'}
          </Typography>
        )}
      </Box>
      <Typography variant="caption" component="div" sx={{ mt: 0.25, display: 'flex', justifyContent: 'space-between', gap: 1 }}>
        <Tooltip title={VIEW_PART_NOTATION[part]}>
          <span data-testid="view-title" data-notation={VIEW_PART_NOTATION[part]}>
            {title}
          </span>
        </Tooltip>
        <Tooltip title={image ? viewPartScalingNotation(part, image.gain) : ''}>
          <Box
            component="span"
            sx={{ color: 'text.secondary' }}
            data-testid="view-scaling"
            data-notation={image ? viewPartScalingNotation(part, image.gain) : ''}
          >
            {image ? viewPartScaling(part, image.gain) : ''}
          </Box>
        </Tooltip>
      </Typography>
    </Box>
  );
}
