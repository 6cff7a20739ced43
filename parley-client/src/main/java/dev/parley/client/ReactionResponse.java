package dev.parley.client;

import dev.parley.protocol.Message;
import dev.parley.protocol.Reaction;

/**
 * The answer to {@link Channel#sendReaction} and {@link Channel#deleteReaction} (PROTOCOL.md §7.11).
 *
 * @param message the message after the change, with its reaction summaries and the caller's own reactions
 * @param reaction the reaction added or removed
 */
public record ReactionResponse(Message message, Reaction reaction) {}
