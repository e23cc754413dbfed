import { brokerFault, brokerFaultMessage } from './broker-probe';

// amqplib's own wording of a close frame (what a connection or channel closed by the server carries).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { closeMessage } = require('amqplib/lib/format') as { closeMessage(close: { fields: { replyCode: number; replyText: string } }): string };
const closedBy = (prefix: string, replyCode: number, replyText: string): Error =>
  Object.assign(new Error(`${prefix}${closeMessage({ fields: { replyCode, replyText } })}`), { code: replyCode });

const URL_WITH_SECRET = 'amqp://svc:s3cret@127.0.0.1:5673/t-broker-1234';

test('a 541 on the connection or on the declaration is the broker\'s broken internal state', () => {
  expect(brokerFault(closedBy('Connection closed: ', 541, 'INTERNAL_ERROR'))).toBe('internal-error');
  expect(brokerFault(closedBy('Operation failed: QueueDeclare; ', 541, 'INTERNAL_ERROR'))).toBe('internal-error');
  // Without its code (wrapped by someone): the text still says it.
  expect(brokerFault({ message: 'Connection closed: 541 (INTERNAL-ERROR) with message "INTERNAL_ERROR"' })).toBe('internal-error');
});

test('refused access, an unreachable broker and anything else are told apart', () => {
  expect(brokerFault(closedBy('Handshake terminated by server: ', 403, 'ACCESS_REFUSED - Login was refused'))).toBe('access-refused');
  expect(brokerFault(closedBy('Connection closed: ', 530, "NOT_ALLOWED - vhost t-x not found"))).toBe('access-refused');
  expect(brokerFault(new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'))).toBe('access-refused'); // a vhost it lacks
  expect(brokerFault(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5673'), { code: 'ECONNREFUSED' }))).toBe('unreachable');
  expect(brokerFault(new Error('the broker did not answer a queue declaration within 15000 ms'))).toBe('unreachable');
  expect(brokerFault(closedBy('Operation failed: QueueDeclare; ', 406, 'PRECONDITION_FAILED - inequivalent arg'))).toBe('other');
  // What a pending declaration gets when the server closes the connection: says nothing by itself.
  expect(brokerFault(new Error('Channel ended, no reply will be forthcoming'))).toBe('other');
});

test('the 541 message names the broken state, the broker, the fix, and no password', () => {
  const text = brokerFaultMessage('internal-error', URL_WITH_SECRET, closedBy('Connection closed: ', 541, 'INTERNAL_ERROR'));
  expect(text).toContain('127.0.0.1:5673 vhost t-broker-1234');
  expect(text).toContain('541 INTERNAL_ERROR');
  expect(text).toContain('rabbit_fifo_dlx_sup');
  expect(text).toContain('servers.sh rabbit-guard');
  expect(text).not.toContain('s3cret');
  expect(brokerFaultMessage('unreachable', URL_WITH_SECRET, { message: 'connect ECONNREFUSED' })).toMatch(/not reachable .*npm start/);
});
