package io.medallion.quality;

import io.medallion.common.quality.RecordProfile;

/** A record's profile addressed to one check scope, by the scope's index in its window size's scope list. A Flink POJO. */
public class ScopedProfile {
  public int scope;
  public RecordProfile profile;

  public ScopedProfile() {}

  public ScopedProfile(int scope, RecordProfile profile) {
    this.scope = scope;
    this.profile = profile;
  }
}
