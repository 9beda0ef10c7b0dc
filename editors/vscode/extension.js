// Starts `keyplan lsp` for .kp files. Build: `npm install` in this folder, then
// `npx @vscode/vsce package`, or open the folder in VS Code and press F5.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('keyplan');
  const command = config.get('path', 'keyplan');
  const serverOptions = {
    run: { command, args: ['lsp'], transport: TransportKind.stdio },
    debug: { command, args: ['lsp'], transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'keyplan' }],
    initializationOptions: {
      target: config.get('target', 'auto'),
      program: config.get('program', 'directory'),
    },
  };
  client = new LanguageClient('keyplan', 'keyplan', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
