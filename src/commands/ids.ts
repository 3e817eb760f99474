/** Command ids, as contributed in package.json. */
export const COMMANDS = {
  connect: 'realtimeInspector.connect',
  disconnect: 'realtimeInspector.disconnect',
  reconnect: 'realtimeInspector.reconnect',
  clearLog: 'realtimeInspector.clearLog',
  exportLog: 'realtimeInspector.exportLog',
  saveProfile: 'realtimeInspector.saveProfile',
  editProfiles: 'realtimeInspector.editProfiles',
  setSecret: 'realtimeInspector.setSecret',
  startDemoServer: 'realtimeInspector.startDemoServer',
  stopDemoServer: 'realtimeInspector.stopDemoServer',
  showOutput: 'realtimeInspector.showOutput',
  openPanel: 'realtimeInspector.openPanel',
  connectProfile: 'realtimeInspector.connectProfile',
  editProfile: 'realtimeInspector.editProfile',
  deleteProfile: 'realtimeInspector.deleteProfile',
  removeConnection: 'realtimeInspector.removeConnection',
} as const;
