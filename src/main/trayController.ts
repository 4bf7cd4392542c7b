import type { Menu as MenuType, MenuItemConstructorOptions } from 'electron';
import type { MenuAction, MenuItemModel, TrayIcon, TrayView } from '../core/app/trayModel';
import type { ElectronDeps } from './electronDeps';

export interface TrayControllerOptions {
  electron: Pick<ElectronDeps, 'Tray' | 'Menu' | 'nativeImage' | 'app' | 'platform'>;
  /** Where each state's icon is; macOS gets template images that follow the menu bar. */
  iconPath: (icon: TrayIcon) => string;
  onAction: (action: MenuAction) => void;
  /** Left click, where the platform delivers it. */
  onClick: () => void;
}

/**
 * Draws a `TrayView` (core/app/trayModel.ts) with Electron's Tray and Menu; decides nothing.
 * Each part is set only when it changed: setting a menu closes the one the user has open
 * (electron#1393). On macOS a context menu set on the tray also opens on left click, which then
 * toggles the window too (electron#24200): there the menu pops up on right click instead.
 */
export function createTrayController({ electron, iconPath, onAction, onClick }: TrayControllerOptions) {
  const { Tray, Menu, nativeImage, app, platform } = electron;
  const tray = new Tray(nativeImage.createFromPath(iconPath('listening')));
  const popsUpMenu = platform === 'darwin';
  const shown: { icon?: TrayIcon; tooltip?: string; menu?: string; badge?: string } = {};
  let menu: MenuType | undefined;
  const popUp = (): void => void (menu && tray.popUpContextMenu(menu));
  if (popsUpMenu) {
    // Ctrl-click is a left click with ctrlKey on macOS, and means the menu there.
    tray.on('click', (event) => (event.ctrlKey ? popUp() : onClick()));
    tray.on('right-click', popUp);
    // A quick second click would otherwise be a double-click, with no 'click' of its own.
    tray.setIgnoreDoubleClickEvents(true);
  } else tray.on('click', onClick);

  const toTemplate = (item: MenuItemModel): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, submenu: item.items.map(toTemplate) };
      case 'checkbox':
        // A checkbox flips its own mark when clicked: should the action fail, the next render
        // must draw the menu anew to put the mark back.
        return {
          type: 'checkbox',
          label: item.label,
          checked: item.checked,
          click: () => ((shown.menu = undefined), onAction(item.action)),
        };
      case 'item':
        return { label: item.label, enabled: item.enabled ?? true, click: () => onAction(item.action) };
    }
  };

  function renderMenu(items: readonly MenuItemModel[]): void {
    const model = JSON.stringify(items);
    if (model === shown.menu) return;
    shown.menu = model;
    menu = Menu.buildFromTemplate(items.map(toTemplate));
    if (!popsUpMenu) tray.setContextMenu(menu);
  }

  return {
    render(view: TrayView): void {
      if (view.icon !== shown.icon) {
        tray.setImage(nativeImage.createFromPath(iconPath(view.icon)));
        shown.icon = view.icon;
      }
      if (view.tooltip !== shown.tooltip) {
        tray.setToolTip(view.tooltip);
        shown.tooltip = view.tooltip;
      }
      renderMenu(view.menu);
      const badge = view.unread > 0 ? String(view.unread) : '';
      if (platform === 'darwin' && badge !== shown.badge) {
        tray.setTitle(badge);
        app.dock?.setBadge(badge);
        shown.badge = badge;
      }
    },
    bounds: () => tray.getBounds(),
    destroy: () => tray.destroy(),
  };
}
