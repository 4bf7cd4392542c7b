import { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';
import type { ElectronDeps } from '../../src/main/electronDeps';

/**
 * A small fake of the Electron APIs the shell uses (after electron/fiddle's tests/mocks): each
 * class records what it was asked to do, so tests assert behaviour without Electron's binary.
 */
export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  static isSupported = (): boolean => true;
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
    FakeNotification.instances.push(this);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
  click(): void {
    this.emit('click');
  }
}

export class FakeTray extends EventEmitter {
  static last: FakeTray | undefined;
  image = '';
  tooltip = '';
  title = '';
  menu: MenuItemConstructorOptions[] = [];
  /** How often a context menu was set: each time closes one the user has open. */
  menusSet = 0;
  popUps = 0;
  destroyed = false;
  constructor(image: { path: string }) {
    super();
    this.image = image.path;
    FakeTray.last = this;
  }
  setImage(image: { path: string }): void {
    this.image = image.path;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: { template: MenuItemConstructorOptions[] }): void {
    this.menu = menu.template;
    this.menusSet += 1;
  }
  ignoresDoubleClicks = false;
  setIgnoreDoubleClickEvents(ignore: boolean): void {
    this.ignoresDoubleClicks = ignore;
  }
  popUpContextMenu(menu: { template: MenuItemConstructorOptions[] }): void {
    this.menu = menu.template;
    this.popUps += 1;
  }
  /** A right click, as macOS and Windows report it. */
  rightClick(): void {
    this.emit('right-click');
  }
  getBounds() {
    return { x: 1800, y: 0, width: 24, height: 24 };
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The labels of the context menu, submenus indented. */
  labels(items = this.menu, indent = ''): string[] {
    return items.flatMap((item) => [
      `${indent}${item.type === 'separator' ? '---' : item.label}${item.type === 'checkbox' ? ` [${item.checked ? 'x' : ' '}]` : ''}${item.enabled === false ? ' (disabled)' : ''}`,
      ...(Array.isArray(item.submenu) ? this.labels(item.submenu, `${indent}  `) : []),
    ]);
  }
  clickItem(label: string, items = this.menu): void {
    for (const item of items) {
      if (item.label === label) return void (item.click as () => void)();
      if (Array.isArray(item.submenu)) {
        try {
          return this.clickItem(label, item.submenu);
        } catch {
          continue;
        }
      }
    }
    throw new Error(`no menu item "${label}"`);
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  sent: Array<{ channel: string; payload: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  session = { setPermissionRequestHandler: (handler: unknown) => void (this.permissionHandler = handler) };
  permissionHandler: unknown;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed = (): boolean => false;
  isDevToolsOpened = (): boolean => false;
}

export class FakeBrowserWindow extends EventEmitter {
  static last: FakeBrowserWindow | undefined;
  static created = 0;
  private contents = new FakeWebContents();
  private destroyed = false;
  visible = false;
  position: [number, number] = [0, 0];
  constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.last = this;
    FakeBrowserWindow.created += 1;
  }
  /** Like Electron's: every use of a destroyed window throws. */
  get webContents(): FakeWebContents {
    this.assertAlive();
    return this.contents;
  }
  show(): void {
    this.assertAlive();
    this.visible = true;
  }
  hide(): void {
    this.assertAlive();
    this.visible = false;
  }
  focus(): void {
    this.assertAlive();
  }
  /** The user closes it (close button, Alt+F4): destroyed unless a `close` listener prevents it. */
  close(): void {
    let prevented = false;
    this.emit('close', { preventDefault: () => void (prevented = true) });
    if (!prevented) this.destroy();
  }
  destroy(): void {
    this.destroyed = true;
    this.visible = false;
    this.contents.isDestroyed = () => true;
    this.emit('closed');
  }
  /** Focus moves elsewhere (a click on the tray icon, on Windows, blurs the window first). */
  blur(): void {
    this.emit('blur');
  }
  isVisible = (): boolean => this.visible;
  isDestroyed = (): boolean => this.destroyed;
  setPosition(x: number, y: number): void {
    this.assertAlive();
    this.position = [x, y];
  }
  loadFile = async (): Promise<void> => undefined;
  loadURL = async (): Promise<void> => undefined;
  private assertAlive(): void {
    if (this.destroyed) throw new TypeError('Object has been destroyed');
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export function fakeElectron(platform: NodeJS.Platform = 'linux') {
  FakeNotification.instances = [];
  const handlers = new Map<string, Handler>();
  const powerMonitor = new EventEmitter();
  const calls = {
    quit: 0,
    openExternal: [] as string[],
    openPath: [] as string[],
    clipboard: [] as string[],
    loginItems: [] as unknown[],
    badge: [] as string[],
  };
  /**
   * What the next open dialog answers; `whileOpen` runs while it is open, as the user's focus
   * moves to it (the window blurs).
   */
  const dialogs = { open: { canceled: true, filePaths: [] as string[] }, whileOpen: (): void => undefined };
  const workArea = { x: 0, y: 0, width: 1920, height: 1080 };
  const electron = {
    app: {
      getPath: () => '/tmp',
      getVersion: () => '0.1.0',
      quit: () => void calls.quit++,
      setLoginItemSettings: (settings: unknown) => void calls.loginItems.push(settings),
      getLoginItemSettings: () => ({ openAtLogin: false }),
      setAppUserModelId: () => undefined,
      isPackaged: false,
      on: () => undefined,
      dock: { hide: () => undefined, setBadge: (text: string) => void calls.badge.push(text) },
    },
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }) },
    Notification: FakeNotification,
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    BrowserWindow: FakeBrowserWindow,
    screen: { getDisplayNearestPoint: () => ({ workArea }), getPrimaryDisplay: () => ({ workArea }) },
    shell: {
      openExternal: async (url: string) => void calls.openExternal.push(url),
      openPath: async (path: string) => (calls.openPath.push(path), ''),
    },
    clipboard: { writeText: (text: string) => void calls.clipboard.push(text) },
    dialog: {
      showSaveDialog: async () => ({ canceled: true, filePath: '' }),
      showOpenDialog: async () => {
        dialogs.whileOpen();
        return dialogs.open;
      },
    },
    ipcMain: { handle: (channel: string, handler: Handler) => void handlers.set(channel, handler) },
    powerMonitor,
    net: { isOnline: () => true },
    platform,
  } as unknown as ElectronDeps;

  /** Calls an IPC handler as Electron would, from a given web contents and page URL. */
  async function invoke(channel: string, from: { id: number; url: string; top?: boolean }, ...args: unknown[]) {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    const event = { sender: { id: from.id }, senderFrame: { url: from.url, parent: from.top === false ? {} : null } };
    return handler(event, ...args);
  }

  return { electron, calls, dialogs, invoke, handlers, powerMonitor };
}
