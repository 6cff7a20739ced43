package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Polls, their options and their votes (PROTOCOL.md §7.21). Blocking and thread-safe; every write is one
 * transaction, and a vote is decided and written under the poll's row lock, so that two casts by one user never
 * both pass a limit.
 */
public interface PollStore {
    /**
     * A poll as stored. {@code doc} holds the description and the custom fields; {@code messageId} and {@code cid}
     * are set once, when a message carries the poll.
     */
    record PollRow(
            String id,
            String name,
            String createdById,
            @Nullable String messageId,
            @Nullable String cid,
            String votingVisibility,
            boolean enforceUniqueVote,
            @Nullable Integer maxVotesAllowed,
            boolean allowAnswers,
            boolean allowUserSuggestedOptions,
            boolean closed,
            ObjectNode doc,
            Instant createdAt,
            Instant updatedAt) {
        public PollRow {
            requireNonNull(id, "id");
            requireNonNull(name, "name");
            requireNonNull(createdById, "createdById");
            requireNonNull(votingVisibility, "votingVisibility");
            requireNonNull(doc, "doc");
        }

        /** Whether votes are shown without their voters. */
        public boolean anonymous() {
            return votingVisibility.equals("anonymous");
        }
    }

    /** One option of a poll; {@code custom} holds its custom fields. */
    record OptionRow(
            String pollId,
            String id,
            int position,
            String text,
            ObjectNode custom,
            Instant createdAt,
            Instant updatedAt) {
        public OptionRow {
            requireNonNull(pollId, "pollId");
            requireNonNull(id, "id");
            requireNonNull(text, "text");
            requireNonNull(custom, "custom");
        }
    }

    /** A vote for an option, or an answer ({@code answerText} set, no option). */
    record VoteRow(
            String id,
            String pollId,
            String userId,
            @Nullable String optionId,
            @Nullable String answerText,
            Instant createdAt,
            Instant updatedAt) {
        public VoteRow {
            requireNonNull(id, "id");
            requireNonNull(pollId, "pollId");
            requireNonNull(userId, "userId");
        }

        public boolean answer() {
            return answerText != null;
        }
    }

    /** What a cast does to a user's votes: the votes it removes and the vote it writes (new or changed), if any. */
    record VoteChange(List<VoteRow> removed, @Nullable VoteRow written) {
        public VoteChange {
            removed = List.copyOf(removed);
        }
    }

    /** A poll's counts: votes per option, all option votes, and answers. */
    record Tally(Map<String, Integer> byOption, int votes, int answers) {
        public static final Tally EMPTY = new Tally(Map.of(), 0, 0);
    }

    /**
     * A page of a query. {@code visibleTo}: only polls that user created or that were sent in a channel it is a
     * member of; null for a server-side caller.
     */
    record Query(
            Filter filter,
            List<SortField> sort,
            int limit,
            int offset,
            @Nullable String visibleTo) {
        public Query {
            requireNonNull(filter, "filter");
            sort = List.copyOf(sort);
        }
    }

    /** Writes a new poll with its options; false when its id is taken. */
    boolean create(PollRow poll, List<OptionRow> options);

    Optional<PollRow> poll(String id);

    /** The polls among {@code ids} that exist, by id. */
    Map<String, PollRow> polls(Collection<String> ids);

    /** The options of the polls, by poll, each poll's in position order. */
    Map<String, List<OptionRow>> options(Collection<String> pollIds);

    /**
     * Replaces the poll's fields; with {@code options} not null, its options too (votes on an option that is gone
     * are removed). False when the poll is gone.
     */
    boolean update(PollRow poll, @Nullable List<OptionRow> options);

    /** Deletes the poll, its options and its votes; false when it was gone already. */
    boolean delete(String id);

    /** Marks the poll as sent with message {@code messageId} of {@code cid}; false when it was sent already. */
    boolean attach(String pollId, String messageId, String cid);

    /** Undoes {@link #attach} when the message could not be written. */
    void detach(String pollId, String messageId);

    /** Adds an option; false when the poll or an option of that id is missing/taken. */
    boolean addOption(OptionRow option);

    /** Changes an option's text and custom fields; false when it is gone. */
    boolean updateOption(OptionRow option);

    /** Deletes an option and its votes; false when it was gone. */
    boolean deleteOption(String pollId, String optionId);

    /**
     * Casts under the poll's lock: reads {@code userId}'s votes in the poll, lets {@code decide} say what changes,
     * and writes that in the same transaction. Empty when the poll is gone.
     */
    Optional<VoteChange> cast(String pollId, String userId, Function<List<VoteRow>, VoteChange> decide);

    /** Removes one vote or answer; empty when it is not in the poll. */
    Optional<VoteRow> removeVote(String pollId, String voteId);

    /** {@code userId}'s votes and answer in each of the polls, by poll. */
    Map<String, List<VoteRow>> votesOf(Collection<String> pollIds, String userId);

    /** The counts of each poll. */
    Map<String, Tally> tallies(Collection<String> pollIds);

    /**
     * The latest votes of each poll, at most {@code perOption} for each option and as many answers, newest first,
     * by poll.
     */
    Map<String, List<VoteRow>> latestVotes(Collection<String> pollIds, int perOption);

    /** The polls of a query, in its order. */
    List<PollRow> query(Query query);

    /** The votes of a poll that a query selects (fields {@code id}, {@code option_id}, {@code is_answer}, ...). */
    List<VoteRow> queryVotes(String pollId, Filter filter, List<SortField> sort, int limit, int offset);
}
