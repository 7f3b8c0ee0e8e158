/** The application menu: the usual shortcuts, each sending its command to the studio. */
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate } from '../../../src/main/electron/menu';

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((entry) => [
    entry,
    ...(Array.isArray(entry.submenu) ? items(entry.submenu) : []),
  ]);
}

describe('the menu', () => {
  it('has the usual shortcuts for files and training', () => {
    const send = vi.fn();
    const all = items(menuTemplate(send, 'linux'));
    const shortcut = (label: string) => all.find((i) => i.label === label)?.accelerator;
    expect(shortcut('Open Text File…')).toBe('CmdOrCtrl+O');
    expect(shortcut('Open Checkpoint…')).toBe('CmdOrCtrl+Shift+O');
    expect(shortcut('Save Checkpoint…')).toBe('CmdOrCtrl+S');
    expect(shortcut('Save Checkpoint As…')).toBe('CmdOrCtrl+Shift+S');
    expect(shortcut('Train')).toBe('CmdOrCtrl+Enter');
    expect(all.some((i) => i.role === 'quit')).toBe(true);
  });

  it('sends the command of a clicked item to the studio', () => {
    const send = vi.fn();
    const save = items(menuTemplate(send, 'linux')).find((i) => i.label === 'Save Checkpoint As…');
    (save!.click as () => void)();
    expect(send).toHaveBeenCalledWith('saveCheckpointAs');
  });

  it('uses the app menu on macOS', () => {
    expect(menuTemplate(vi.fn(), 'darwin')[0]).toEqual({ role: 'appMenu' });
  });
});
