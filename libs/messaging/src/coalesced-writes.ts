import type { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';

/**
 * What amqplib 0.10 keeps inside a connection: the socket, and the Mux that moves the frames its channels
 * wrote during a turn of the event loop onto it (scheduled once per turn, with setImmediate).
 */
interface AmqpInternals {
  connection?: { stream?: Partial<Pick<Socket, 'cork' | 'uncork'>>; muxer?: { _readIncoming?: () => void } };
}

/**
 * Sends all the frames a connection's channels wrote in one turn of the event loop in one socket write.
 * amqplib's Mux writes each frame (a publish, an ack) with its own `socket.write`: one system call per
 * message; corked around the Mux's round they go out as one `writev`. (Measured on a confirm channel,
 * 8 publishes a turn: 19-25 -> 17-21 µs of CPU per publish.) Nothing changes in what is sent or when: the
 * round ends with the uncork, in the same turn. Returns false, changing nothing, when the connection is
 * not laid out as expected (another amqplib version): messages then go out as before.
 */
export function coalesceWrites(conn: ChannelModel): boolean {
  const { connection } = conn as unknown as AmqpInternals;
  const socket = connection?.stream;
  const mux = connection?.muxer;
  const round = mux?._readIncoming;
  if (!mux || !round || typeof socket?.cork !== 'function' || typeof socket.uncork !== 'function') return false;
  const { cork, uncork } = socket as Pick<Socket, 'cork' | 'uncork'>;
  mux._readIncoming = function corkedRound(this: unknown): void {
    cork.call(socket);
    try {
      round.call(mux);
    } finally {
      uncork.call(socket);
    }
  };
  return true;
}
