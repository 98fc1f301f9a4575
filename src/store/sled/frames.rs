//! How a commit is laid out in its group's record: one checksummed frame per stream it
//! writes to, then one for its messages and inbox mark (see the parent module's "Layout").

use kernel::store::Commit;

/// Where [`frame_commit`] put a commit's parts in the group's record.
pub(super) struct Frames {
    /// The frame holding each run of one stream's events, in order.
    pub(super) runs: Vec<std::ops::Range<usize>>,
    /// The frame holding the outbox messages and the inbox mark.
    pub(super) rest: std::ops::Range<usize>,
}

/// Frames a commit into the group's record. A commit to one stream is one frame. A commit to
/// several streams is a frame per stream, then one for its messages and inbox mark: a stream
/// read then decodes that stream's events only, not every event of a unit of work that touched
/// thousands of aggregates (which made such reads quadratic). Each frame reads as a commit of
/// its own part; atomicity is unchanged, since it comes from the group's one sled batch, and
/// the frames stay in position order.
pub(super) fn frame_commit(record: &mut Vec<u8>, commit: &Commit) -> Frames {
    let streams = commit.events.chunk_by(|a, b| a.stream == b.stream).count();
    if streams <= 1 {
        let range = kernel::record::encode_commit(record, commit);
        return Frames { runs: vec![range.clone(); streams], rest: range };
    }
    let runs = commit
        .events
        .chunk_by(|a, b| a.stream == b.stream)
        .map(|run| kernel::record::encode_commit(record, &Commit { events: run.to_vec(), outbox: vec![], inbox: None }))
        .collect();
    let rest = if commit.outbox.is_empty() && commit.inbox.is_none() {
        record.len()..record.len()
    } else {
        let rest = Commit { events: vec![], outbox: commit.outbox.clone(), inbox: commit.inbox.clone() };
        kernel::record::encode_commit(record, &rest)
    };
    Frames { runs, rest }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use kernel::ids::SequentialIds;
    use kernel::message::MessageId;
    use kernel::store::{AppendRequest, EventStore, InboxMark, OutboxSeq, StoreError, StreamBound};
    use kernel::testing::conformance::{event, message};
    use kernel::time::{ManualClock, Timestamp};
    use kernel::ExpectedVersion as Expected;
    use kernel::{Position, StreamId, Version};

    use crate::store::{SledEventStore, StoreConfig};

    /// A unit of work touching many aggregates is stored as a frame per stream: each stream
    /// reads back its own events (without decoding the others: damage to one stream's frame
    /// leaves the others readable), the global log and the outbox read back whole and in
    /// order, and so after a reopen.
    #[test]
    fn a_commit_to_many_streams_reads_back_stream_by_stream() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000)));
        let open = || SledEventStore::open(dir.path(), "wide", clock.clone(), StoreConfig::default()).unwrap();
        let store = open();
        let ids = SequentialIds::new(3);
        let streams: Vec<StreamId> = (0..50).map(|n| StreamId::for_aggregate("member", n)).collect();
        let writes = streams
            .iter()
            .enumerate()
            .map(|(n, stream)| kernel::store::StreamWrite {
                stream: stream.clone(),
                expected: Expected::NoStream,
                events: (0..=n as u64 % 3).map(|k| event(&ids, k)).collect(),
            })
            .collect();
        let mark = InboxMark { consumer: "c".into(), message_id: MessageId::generate(&ids) };
        let request =
            AppendRequest { writes, outbox: vec![message(&ids, 1), message(&ids, 2)], inbox: Some(mark.clone()) };
        store.append(request).unwrap();
        let store = {
            drop(store);
            open()
        };
        for (n, stream) in streams.iter().enumerate() {
            let events = store.read_stream(stream, Version::INITIAL, StreamBound::End).unwrap();
            assert_eq!(events.len(), n % 3 + 1, "{stream}");
            assert!(events.iter().all(|e| e.stream == *stream));
        }
        let all = store.read_all(Position::START, usize::MAX).unwrap();
        assert_eq!(all.len(), (0..50).map(|n| n % 3 + 1).sum::<usize>());
        assert!(all.windows(2).all(|w| w[0].position.get() + 1 == w[1].position.get()), "in position order");
        assert_eq!(store.read_outbox(OutboxSeq(0), usize::MAX).unwrap().len(), 2);
        assert!(store.is_processed(&mark).unwrap());

        // Damage the frame of the seventh stream's events: only that stream stops reading.
        let damaged = store.read_stream(&streams[7], Version::INITIAL, StreamBound::End).unwrap()[0].position;
        assert!(store.corrupt_commit_at(damaged).unwrap());
        assert!(matches!(
            store.read_stream(&streams[7], Version::INITIAL, StreamBound::End),
            Err(StoreError::Corrupt { .. })
        ));
        for stream in streams.iter().filter(|s| **s != streams[7]) {
            assert!(store.read_stream(stream, Version::INITIAL, StreamBound::End).is_ok(), "{stream}");
        }
    }
}
