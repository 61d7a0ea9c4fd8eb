Grailbird.data.tweets_2014_03 = 
 [ {
  "source" : "web",
  "entities" : {
    "user_mentions" : [ {
      "name" : "Claire",
      "screen_name" : "claire_bzh",
      "indices" : [ 0, 11 ],
      "id_str" : "61000001",
      "id" : 61000001
    } ],
    "media" : [ ],
    "hashtags" : [ ],
    "urls" : [ ]
  },
  "in_reply_to_status_id_str" : "446990000000000100",
  "geo" : { },
  "id_str" : "447000000000000004",
  "in_reply_to_user_id" : 61000001,
  "text" : "@claire_bzh Oui ! Il reste deux paniers \u00AB petit format \u00BB pour jeudi, on vous en garde un.",
  "id" : 447000000000000004,
  "in_reply_to_status_id" : 446990000000000100,
  "created_at" : "2014-03-21 18:40:00 +0000",
  "in_reply_to_screen_name" : "claire_bzh",
  "in_reply_to_user_id_str" : "61000001",
  "user" : {
    "name" : "AMAP des Tilleuls",
    "screen_name" : "AmapDesTilleuls",
    "protected" : false,
    "id_str" : "60000001",
    "id" : 60000001,
    "verified" : false
  }
} ]
