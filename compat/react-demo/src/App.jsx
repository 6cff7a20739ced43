import { useMemo, useState } from 'react';
import {
  Channel,
  ChannelHeader,
  ChannelList,
  Chat,
  ChatView,
  MessageComposer,
  MessageList,
  Thread,
  ThreadList,
  Window,
  useChatContext,
} from 'stream-chat-react';
import { urlWith } from './config.js';
import { useConnectedClient } from './useConnectedClient.js';

export function App({ config }) {
  if (!config.apiKey || !config.user) return <SignIn config={config} />;
  return <ChatApp config={config} />;
}

/** Asks for the user (and the API key when the URL lacks one) and reloads with them in the query. */
function SignIn({ config }) {
  return (
    <main className="demo-signin">
      <h1>Parley chat</h1>
      <p>
        stream-chat-react against <code>{config.baseURL}</code>
      </p>
      <form method="get" data-testid="sign-in">
        <label>
          User id
          <input name="user" required pattern="[\w@.\-]+" autoFocus defaultValue={config.user} />
        </label>
        <label>
          Name (optional)
          <input name="name" defaultValue={config.name} />
        </label>
        {config.apiKey ? (
          <input type="hidden" name="apiKey" value={config.apiKey} />
        ) : (
          <label>
            <span>
              API key (printed by <code>./parley serve</code>)
            </span>
            <input name="apiKey" required />
          </label>
        )}
        <input type="hidden" name="baseURL" value={config.baseURL} />
        {!config.devToken && <input type="hidden" name="token" value={config.token} />}
        <button type="submit">Sign in</button>
      </form>
      {config.devToken && (
        <p className="demo-hint">
          Without a <code>token</code> parameter the demo signs in with a development token: start the
          server with <code>./parley serve --disable-auth-checks</code>.
        </p>
      )}
    </main>
  );
}

function ChatApp({ config }) {
  const { client, error } = useConnectedClient(config);
  // ChannelList queries again whenever these change identity, so they are made once per user.
  const filters = useMemo(() => ({ members: { $in: [config.user] } }), [config.user]);
  const sort = useMemo(() => ({ last_message_at: -1 }), []);
  const options = useMemo(() => ({ limit: 20, state: true, watch: true, presence: true }), []);
  // The header's Online/Offline for a 1:1 chat comes from the channel's watchers, which the server
  // returns only when asked for.
  const watchers = useMemo(() => ({ limit: 10 }), []);

  if (error) {
    return (
      <main className="demo-signin" role="alert" data-testid="connect-error">
        <h1>Could not connect as {config.user}</h1>
        <p>{error.message}</p>
        <a href={urlWith({ user: undefined, name: undefined })}>Sign in again</a>
      </main>
    );
  }
  if (!client) return <p className="demo-status">Connecting as {config.user}…</p>;

  // ChatView switches between the channels and the thread list; its selector shows the unread threads.
  return (
    <Chat client={client}>
      <ChatView>
        <div className="demo-app" data-testid="chat" data-user={client.userID}>
          <header className="demo-me">
            <span data-testid="me">
              Signed in as <strong>{client.user?.name ?? client.userID}</strong>
            </span>
            <ChatView.Selector iconOnly={false} />
            <a href={urlWith({ user: undefined, name: undefined })}>Sign out</a>
          </header>
          <ChatView.Channels>
            <div className="demo-layout">
              <aside className="demo-sidebar">
                <StartChat />
                <ChannelList filters={filters} sort={sort} options={options} watchers={watchers} />
              </aside>
              <Channel EmptyPlaceholder={<NoChannel />}>
                <Window>
                  <ChannelHeader />
                  <MessageList />
                  <MessageComposer />
                </Window>
                <Thread />
              </Channel>
            </div>
          </ChatView.Channels>
          <ChatView.Threads>
            <div className="demo-layout" data-testid="threads-view">
              <aside className="demo-sidebar">
                <ThreadList />
              </aside>
              <ChatView.ThreadAdapter>
                <Thread />
              </ChatView.ThreadAdapter>
            </div>
          </ChatView.Threads>
        </div>
      </ChatView>
    </Chat>
  );
}

function NoChannel() {
  return (
    <div className="demo-no-channel">
      <p>Pick a chat on the left, or start one with another user id.</p>
    </div>
  );
}

/** Creates (or finds) the distinct `messaging` channel of the signed-in user and another user, and opens it. */
function StartChat() {
  const { client, setActiveChannel } = useChatContext();
  const [other, setOther] = useState('');
  const [problem, setProblem] = useState(null);
  const otherId = other.trim();

  async function start(event) {
    event.preventDefault();
    setProblem(null);
    try {
      const channel = client.channel('messaging', { members: [client.userID, otherId] });
      await channel.watch({ watchers: { limit: 10 } });
      // The server tells our own socket that we were added (notification.added_to_channel), and the
      // ChannelList may have made its own object for the new cid before this response came; events
      // then go to that one, so open whichever object the client now keeps for the cid.
      setActiveChannel(client.activeChannels[channel.cid] ?? channel);
      setOther('');
    } catch (e) {
      setProblem(e.message);
    }
  }

  return (
    <form className="demo-start" onSubmit={start} data-testid="start-chat">
      <input
        aria-label="User id to chat with"
        placeholder="user id"
        value={other}
        onChange={(e) => setOther(e.target.value)}
      />
      <button type="submit" disabled={!otherId || otherId === client.userID}>
        Start chat with {otherId || '…'}
      </button>
      {problem && (
        <p role="alert" className="demo-problem">
          {problem}
        </p>
      )}
    </form>
  );
}
