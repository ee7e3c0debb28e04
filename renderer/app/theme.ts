import { createTheme } from '@mui/material/styles';

/** A dark, low-glare theme: investigators look at this screen for hours. */
export const workstationTheme = createTheme({
  palette: {
    mode: 'dark',
    primary: { main: '#7aa7ff' },
    secondary: { main: '#f0b35a' },
    background: { default: '#14171c', paper: '#1c2027' },
  },
  shape: { borderRadius: 6 },
  typography: { fontFamily: 'system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
});
