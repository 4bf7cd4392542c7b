import type { MenuItemConstructorOptions } from 'electron';
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

/** Draws a `TrayView` (core/app/trayModel.ts) with Electron's Tray and Menu; decides nothing. */
export function createTrayController({ electron, iconPath, onAction, onClick }: TrayControllerOptions) {
  const { Tray, Menu, nativeImage, app, platform } = electron;
  const tray = new Tray(nativeImage.createFromPath(iconPath('listening')));
  tray.on('click', onClick);
  let shownIcon: TrayIcon | undefined;

  const toTemplate = (item: MenuItemModel): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, submenu: item.items.map(toTemplate) };
      case 'checkbox':
        return { type: 'checkbox', label: item.label, checked: item.checked, click: () => onAction(item.action) };
      case 'item':
        return { label: item.label, enabled: item.enabled ?? true, click: () => onAction(item.action) };
    }
  };

  return {
    render(view: TrayView): void {
      if (view.icon !== shownIcon) {
        tray.setImage(nativeImage.createFromPath(iconPath(view.icon)));
        shownIcon = view.icon;
      }
      tray.setToolTip(view.tooltip);
      tray.setContextMenu(Menu.buildFromTemplate(view.menu.map(toTemplate)));
      if (platform === 'darwin') {
        const badge = view.unread > 0 ? String(view.unread) : '';
        tray.setTitle(badge);
        app.dock?.setBadge(badge);
      }
    },
    bounds: () => tray.getBounds(),
    destroy: () => tray.destroy(),
  };
}
