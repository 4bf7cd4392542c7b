/** The tunnel port: ngrok in the app and `serve`, a loopback double in tests. */
export interface TunnelTarget {
  localPort: number;
  authtoken: string;
  /** A reserved domain (`agent.ngrok.app`); without one the public URL changes each session. */
  domain?: string;
}

export interface TunnelEvents {
  /** The connection dropped; the driver is reconnecting by itself. */
  onDisconnect(reason: string): void;
  /** The connection is back after a drop. */
  onReconnect(): void;
}

export interface OpenTunnel {
  /** The public origin, `https://abc.ngrok.app`. */
  url: string;
  close(): Promise<void>;
}

export interface TunnelDriver {
  open(target: TunnelTarget, events: TunnelEvents): Promise<OpenTunnel>;
}
