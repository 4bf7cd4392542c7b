/**
 * The app's identity. `appId` must equal electron-builder's `appId`: Windows shows toasts only
 * for the AppUserModelID of an installed shortcut.
 */
export const appIdentity = {
  appId: 'com.telecmi.notifier',
  productName: 'TeleCMI Notifier',
  /** Folder and file names (autostart entry, data folder). */
  slug: 'telecmi-notifier',
} as const;
