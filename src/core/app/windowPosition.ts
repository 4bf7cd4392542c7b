export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const margin = 8;

/**
 * Where the tray window goes: against the tray icon, on the side of the screen the tray is on,
 * kept inside the work area; centred when the platform does not say where the tray is.
 */
export function trayWindowPosition(size: { width: number; height: number }, workArea: Rect, trayBounds?: Rect): { x: number; y: number } {
  if (!trayBounds || (trayBounds.width === 0 && trayBounds.height === 0)) {
    return {
      x: Math.round(workArea.x + (workArea.width - size.width) / 2),
      y: Math.round(workArea.y + (workArea.height - size.height) / 2),
    };
  }
  const trayCentreX = trayBounds.x + trayBounds.width / 2;
  const trayIsAtTop = trayBounds.y < workArea.y + workArea.height / 2;
  const x = clamp(Math.round(trayCentreX - size.width / 2), workArea.x + margin, workArea.x + workArea.width - size.width - margin);
  const y = trayIsAtTop
    ? Math.max(workArea.y + margin, trayBounds.y + trayBounds.height + margin)
    : Math.min(workArea.y + workArea.height - size.height - margin, trayBounds.y - size.height - margin);
  return { x, y };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
