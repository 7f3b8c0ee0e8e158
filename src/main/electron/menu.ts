/** The application menu: the usual File items with their shortcuts, and Training. */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/channels';

export function menuTemplate(
  send: (command: MenuCommand) => void,
  platform: NodeJS.Platform = process.platform,
): MenuItemConstructorOptions[] {
  const item = (label: string, accelerator: string, command: MenuCommand) => ({
    label,
    accelerator,
    click: () => send(command),
  });
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        item('Open Text File…', 'CmdOrCtrl+O', 'openCorpus'),
        item('Open Checkpoint…', 'CmdOrCtrl+Shift+O', 'openCheckpoint'),
        { type: 'separator' },
        item('Save Checkpoint…', 'CmdOrCtrl+S', 'saveCheckpoint'),
        item('Save Checkpoint As…', 'CmdOrCtrl+Shift+S', 'saveCheckpointAs'),
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit', accelerator: 'Ctrl+Q' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&Training',
      submenu: [
        item('Train', 'CmdOrCtrl+Enter', 'train'),
        item('Stop', 'CmdOrCtrl+.', 'stop'),
        { type: 'separator' },
        item('Generate', 'CmdOrCtrl+G', 'generate'),
      ],
    },
    {
      label: '&View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
