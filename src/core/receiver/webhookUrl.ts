/** The URL TeleCMI posts to: an origin (local, or a tunnel's public one) and the token path. */
export function webhookUrlFor(origin: string, token: string): string {
  return `${origin}/telecmi/${token}`;
}

/** The commands that expose a local port through a tunnel of one's own. */
export function tunnelCommands(port: number): { ngrok: string; cloudflared: string } {
  return { ngrok: `ngrok http ${port}`, cloudflared: `cloudflared tunnel --url http://127.0.0.1:${port}` };
}
