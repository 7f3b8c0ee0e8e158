/**
 * Renderer entry: picks the platform (Electron's preload API, or the browser-mode
 * WebSocket), connects the studio to its trainer and mounts the Svelte app into #app.
 */
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { browserPlatform } from './lib/browser';
import { electronPlatform } from './lib/electron';
import { messageOf, Studio } from './lib/studio.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('Renderer: expected an element with id "app" in index.html.');

async function start(): Promise<void> {
  const platform = window.folio ? electronPlatform(window.folio) : await browserPlatform();
  const studio = new Studio(platform);
  await studio.connect();
  mount(App, { target: target!, props: { studio } });
}

start().catch((err: unknown) => {
  // Without a trainer there is no studio to show: say why, as plain text.
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.className = 'fatal';
  message.textContent = messageOf(err);
  target.replaceChildren(message);
});
