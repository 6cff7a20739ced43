import { useEffect, useState } from 'react';
import { StreamChat } from 'stream-chat';

/**
 * Creates a client for `config`, connects it, and disconnects it on unmount. Unlike stream-chat-react's
 * `useCreateChatClient` it reports a failed `connectUser` (bad key, rejected token, server down), so the
 * page can say why it is empty instead of spinning forever.
 *
 * @returns `{ client, error }`: `client` once connected, `error` if connecting failed
 */
export function useConnectedClient({ apiKey, baseURL, user, name, token }) {
  const [state, setState] = useState({ client: null, error: null });

  useEffect(() => {
    const client = new StreamChat(apiKey, { baseURL });
    let cancelled = false;
    const connecting = client
      .connectUser(name ? { id: user, name } : { id: user }, token)
      .then(() => !cancelled && setState({ client, error: null }))
      .catch((error) => !cancelled && setState({ client: null, error }));
    return () => {
      cancelled = true;
      setState({ client: null, error: null });
      // a connect still in flight is closed once it settles; disconnectUser also rejects a pending one
      connecting.finally(() => client.disconnectUser());
    };
  }, [apiKey, baseURL, user, name, token]);

  return state;
}
