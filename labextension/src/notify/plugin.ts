// The end-of-run notifications plugin: its settings (Settings Editor, "runlab: end-of-run notifications"),
// applied live, and the notifier that polls for ended runs.

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';

import { RunlabClient } from '../api';
import { Following } from './following';
import { EndNotifier } from './notifier';
import { DEFAULT_SETTINGS, INotifySettings } from './texts';

export const NOTIFICATIONS_PLUGIN_ID = 'runlab-labextension:notifications';

/** The commands a notification's buttons run (added by the Jobs plugin). */
export const COMMANDS = { open: 'runlab:open-run', rerun: 'runlab:rerun-run', showJobs: 'runlab:show-jobs' };

function read(settings: ISettingRegistry.ISettings): INotifySettings {
  const value = (settings.composite.notifications ?? {}) as Partial<INotifySettings>;
  return {
    enabled: typeof value.enabled === 'boolean' ? value.enabled : DEFAULT_SETTINGS.enabled,
    minDuration: typeof value.minDuration === 'number' ? value.minDuration : DEFAULT_SETTINGS.minDuration,
    onlyErrors: typeof value.onlyErrors === 'boolean' ? value.onlyErrors : DEFAULT_SETTINGS.onlyErrors
  };
}

/** The plugin, sharing `following` (the bell of each run's header) with the Jobs plugin. */
export function notificationsPlugin(following: Following): JupyterFrontEndPlugin<void> {
  return {
    id: NOTIFICATIONS_PLUGIN_ID,
    description: 'A notification when a run started from this JupyterLab, or a run you follow, ends.',
    autoStart: true,
    requires: [IStateDB],
    optional: [ISettingRegistry],
    activate: async (app: JupyterFrontEnd, state: IStateDB, registry: ISettingRegistry | null) => {
      const notifier = new EndNotifier(new RunlabClient(), following, {
        open: (uid, tab) => void app.commands.execute(COMMANDS.open, tab ? { uid, tab } : { uid }),
        rerun: uid => void app.commands.execute(COMMANDS.rerun, { uid }),
        showJobs: () => void app.commands.execute(COMMANDS.showJobs)
      });
      if (registry) {
        try {
          const settings = await registry.load(NOTIFICATIONS_PLUGIN_ID);
          notifier.settings = read(settings);
          settings.changed.connect(() => {
            notifier.settings = read(settings);
          });
        } catch (error) {
          console.error('runlab: the notification settings could not be read; the defaults apply', error);
        }
      }
      // the state DB holds the saved workspace's values once the app is restored (which waits for every
      // plugin's activation: not awaited here)
      void app.restored.then(async () => {
        await following.restore(state);
        await notifier.start(state);
      });
    }
  };
}
