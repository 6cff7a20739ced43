// Polls with the official client: the PollManager and Poll state kept by poll.* events, votes, answers,
// closing, the option routes and queries (PROTOCOL.md §7.21).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  TIMEOUT, connectAll, disconnectAll, errorCode, eventually, rejection, serverClient, uid,
} from '../lib/parley.mjs';

/** A channel type with polls on, a channel of it with both users as members, and both watching it. */
async function pollRoom(annClient, bobClient, ann, bob) {
  const type = uid('polls').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 30);
  await serverClient().createChannelType({ name: type, polls: true });
  const annChannel = annClient.channel(type, uid('room'), { members: [ann, bob] });
  await annChannel.watch();
  const bobChannel = bobClient.channel(type, annChannel.id);
  await bobChannel.watch();
  assert.ok(annChannel.data.own_capabilities.includes('send-poll'));
  assert.ok(bobChannel.data.own_capabilities.includes('cast-poll-vote'));
  return { annChannel, bobChannel };
}

test('a poll sent by one client is voted on and answered by another, and both Poll states follow', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient, bobClient] = clients;
  try {
    const { annChannel } = await pollRoom(annClient, bobClient, ann, bob);
    annClient.polls.registerSubscriptions();
    bobClient.polls.registerSubscriptions();
    const poll = await annClient.polls.createPoll({
      name: 'Lunch?',
      options: [{ text: 'Pizza' }, { text: 'Sushi' }],
      allow_answers: true,
    });
    const pizza = poll.data.options[0].id;
    const { message } = await annChannel.sendMessage({ poll_id: poll.id });
    assert.equal(message.poll.id, poll.id);

    const bobPoll = await bobClient.polls.getPoll(poll.id);
    await bobPoll.castVote(pizza, message.id);
    await eventually(() => assert.equal(poll.data.vote_counts_by_option[pizza], 1));
    await eventually(() => assert.ok(bobPoll.data.ownVotesByOptionId[pizza], 'bob sees his own vote'));
    assert.deepEqual(poll.data.maxVotedOptionIds, [pizza]);

    await bobPoll.addAnswer('tacos', message.id);
    await eventually(() => assert.equal(poll.data.answers_count, 1));
    assert.equal(poll.data.latest_answers[0].answer_text, 'tacos');

    const { votes } = await annClient.queryPollVotes(poll.id, { option_id: pizza });
    assert.deepEqual(votes.map((v) => v.user_id), [bob]);
    const { votes: answers } = await annClient.queryPollAnswers(poll.id);
    assert.equal(answers[0].answer_text, 'tacos');
    const { polls } = await bobClient.queryPolls({ id: poll.id });
    assert.equal(polls.length, 1);

    await poll.close();
    await eventually(() => assert.equal(bobPoll.data.is_closed, true));
    const sushi = poll.data.options[1].id;
    assert.equal(errorCode(await rejection(bobClient.castPollVote(message.id, poll.id, { option_id: sushi }))), 4);
  } finally {
    annClient.polls.unregisterSubscriptions();
    bobClient.polls.unregisterSubscriptions();
    await disconnectAll(...clients);
  }
});

test('options are added, changed and removed, votes taken back, and the poll replaced and deleted', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient, bobClient] = clients;
  try {
    const { annChannel } = await pollRoom(annClient, bobClient, ann, bob);
    annClient.polls.registerSubscriptions();
    const poll = await annClient.polls.createPoll({ name: 'Colour', options: [{ text: 'Red' }] });
    const { message } = await annChannel.sendMessage({ poll_id: poll.id });

    const { poll_option: blue } = await annClient.createPollOption(poll.id, { text: 'Blue' });
    assert.equal((await bobClient.getPollOption(poll.id, blue.id)).poll_option.text, 'Blue');
    await annClient.updatePollOption(poll.id, { id: blue.id, text: 'Navy' });
    await eventually(() => assert.ok(poll.data.options.some((o) => o.text === 'Navy')));
    assert.equal(errorCode(await rejection(bobClient.createPollOption(poll.id, { text: 'Green' }))), 17);

    const { vote } = await bobClient.castPollVote(message.id, poll.id, { option_id: blue.id });
    await eventually(() => assert.equal(poll.data.vote_count, 1));
    await bobClient.removePollVote(message.id, poll.id, vote.id);
    await eventually(() => assert.equal(poll.data.vote_count, 0));

    await annClient.deletePollOption(poll.id, blue.id);
    await eventually(() => assert.equal(poll.data.options.length, 1));
    const { poll: replaced } = await annClient.updatePoll({
      id: poll.id,
      name: 'Colour, again',
      options: [...poll.data.options, { text: 'Gold' }],
      enforce_unique_vote: true,
    });
    assert.equal(replaced.options.length, 2);
    assert.equal(replaced.enforce_unique_vote, true);
    const { poll: renamed } = await annClient.partialUpdatePoll(poll.id, { set: { description: 'pick one' } });
    assert.equal(renamed.description, 'pick one');
    assert.equal(renamed.name, 'Colour, again');

    await annClient.deletePoll(poll.id);
    assert.equal(errorCode(await rejection(annClient.getPoll(poll.id))), 16);
  } finally {
    annClient.polls.unregisterSubscriptions();
    await disconnectAll(...clients);
  }
});
